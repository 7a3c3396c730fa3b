// Locates the JSON data files under schemas/. Resolved from this module first (works from the
// source tree and from dist/ when schemas/ is copied next to it), then from the working directory.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export function schemaPath(file: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, '../../schemas', file),
    path.resolve(here, '../../../schemas', file),
    path.resolve(process.cwd(), 'schemas', file),
  ];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`schemas/${file} not found (looked in ${candidates.join(', ')})`);
}

export function readSchemaJson(file: string): unknown {
  return JSON.parse(readFileSync(schemaPath(file), 'utf8')) as unknown;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asStringArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
