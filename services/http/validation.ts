// Turns a schema-validation failure (ajv, through fastify) into words a clerk understands: which field,
// and what is expected. Never a regular expression or the validator's own sentence.
import type { FastifySchemaValidationError } from 'fastify/types/schema.js';
import { PARTS } from '../../schemas/codes.js';
import { AppError, bi } from '../errors.js';

interface AjvError extends FastifySchemaValidationError {
  parentSchema?: Record<string, unknown>;
  schema?: unknown;
}

const TYPE_VI: Record<string, string> = {
  string: 'chuỗi ký tự',
  integer: 'số nguyên',
  number: 'số',
  boolean: 'true hoặc false',
  object: 'đối tượng JSON',
  array: 'danh sách',
  null: 'null',
};

const FORMAT: Record<string, { vi: string; en: string }> = {
  uuid: { vi: 'mã định danh UUID', en: 'a UUID' },
  'date-time': { vi: 'thời điểm ISO 8601, ví dụ 2026-12-01T08:30:00+07:00', en: 'an ISO 8601 date-time, e.g. 2026-12-01T08:30:00+07:00' },
  date: { vi: 'ngày dạng YYYY-MM-DD', en: 'a date as YYYY-MM-DD' },
};

/** Patterns the API uses, by what they mean (the parts of schemas/code-schemes.json and a few more). */
function describePattern(pattern: string, parent: Record<string, unknown> | undefined): { vi: string; en: string } {
  for (const part of Object.values(PARTS)) {
    if (pattern.includes(part.pattern)) return part;
  }
  const description = typeof parent?.['description'] === 'string' ? parent['description'] : null;
  return description ? { vi: description, en: description } : { vi: 'đúng định dạng quy định', en: 'the documented format' };
}

function fieldName(context: string, e: AjvError): string {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const missing = e.keyword === 'required' ? String((e.params as { missingProperty?: string }).missingProperty ?? '') : '';
  const name = [path, missing].filter(Boolean).join('.');
  return name || context;
}

function allowed(parent: Record<string, unknown> | undefined): string[] | null {
  const options = (parent?.['anyOf'] ?? parent?.['enum']) as unknown;
  if (!Array.isArray(options)) return null;
  const values = options.map((o) => (o && typeof o === 'object' && 'const' in o ? (o as { const: unknown }).const : o)).filter((v) => typeof v === 'string' || typeof v === 'number');
  return values.length === options.length ? values.map(String) : null;
}

export function describeValidation(context: string, errors: AjvError[]): AppError {
  // The most specific error first: a union's own error only says "none matched".
  const e = errors.find((x) => x.keyword !== 'anyOf') ?? errors[0]!;
  const field = fieldName(context, e);
  const p = e.params as Record<string, unknown>;
  const say = (vi: string, en: string) => new AppError('VALIDATION_FAILED', bi(`${field} ${vi}`, `${field} ${en}`), { field });
  switch (e.keyword) {
    case 'required':
      return say('bị thiếu', 'is missing');
    case 'type': {
      const t = String(p['type']);
      return say(`phải là ${TYPE_VI[t] ?? t}`, `must be ${t === 'integer' ? 'an integer' : `a ${t}`}`);
    }
    case 'pattern': {
      const d = describePattern(String(p['pattern']), e.parentSchema);
      return say(`không hợp lệ; cần ${d.vi}`, `is not valid; expected ${d.en}`);
    }
    case 'format': {
      const d = FORMAT[String(p['format'])] ?? { vi: String(p['format']), en: String(p['format']) };
      return say(`không hợp lệ; cần ${d.vi}`, `is not valid; expected ${d.en}`);
    }
    case 'minimum':
    case 'exclusiveMinimum':
      return say(`phải từ ${String(p['limit'])} trở lên`, `must be at least ${String(p['limit'])}`);
    case 'maximum':
    case 'exclusiveMaximum':
      return say(`không được quá ${String(p['limit'])}`, `must be at most ${String(p['limit'])}`);
    case 'minLength':
      return Number(p['limit']) <= 1 ? say('không được để trống', 'must not be empty') : say(`cần ít nhất ${String(p['limit'])} ký tự`, `needs at least ${String(p['limit'])} characters`);
    case 'maxLength':
      return say(`dài quá ${String(p['limit'])} ký tự`, `is longer than ${String(p['limit'])} characters`);
    case 'maxItems':
      return say(`có quá ${String(p['limit'])} phần tử`, `has more than ${String(p['limit'])} items`);
    case 'additionalProperties': {
      const extra = String(p['additionalProperty']);
      const known = Object.keys((e.parentSchema?.['properties'] as Record<string, unknown> | undefined) ?? {});
      const name = field === context ? extra : `${field}.${extra}`;
      return new AppError('VALIDATION_FAILED', bi(`trường ${name} không được nhận (nhận: ${known.join(', ')})`, `field ${name} is not accepted (accepted: ${known.join(', ')})`), { field: name });
    }
    case 'const':
    case 'enum': {
      // A union of literals fails on its first literal; the union's own error knows them all.
      const union = errors.find((x) => x.keyword === 'anyOf' && x.instancePath === e.instancePath);
      const values =
        allowed(union?.parentSchema) ??
        allowed(e.parentSchema) ??
        (Array.isArray(p['allowedValues']) ? (p['allowedValues'] as unknown[]).map(String) : [String(p['allowedValue'])]);
      return say(`phải là một trong: ${values.join(', ')}`, `must be one of: ${values.join(', ')}`);
    }
    default:
      return say('không hợp lệ', 'is not valid');
  }
}
