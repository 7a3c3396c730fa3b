// Structured logs (pino). Personal identifiers never reach a log line in the clear: known fields are
// masked by path, and any 9-, 10-, 12- or 13-digit run inside a message is masked too.
import { pino, type Logger, type LoggerOptions } from 'pino';
import { maskIdentifier } from './identifiers.js';

// UUIDs and long hex strings (hashes) are matched first and kept whole: their digit runs are not ids.
const ID_RUN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32,}|(?<!\d)(\d{12}|\d{10}(?:-\d{3})?|\d{9})(?!\d)/gi;

export function maskText(text: string): string {
  return text.replace(ID_RUN, (m, id: string | undefined) => (id ? maskIdentifier(m) : m));
}

const MASKED_PATHS = [
  'applicantId',
  'personId',
  '*.applicantId',
  '*.personId',
  '*.idNumber',
  'req.headers.authorization',
  'req.headers["idempotency-key"]',
  'headers.authorization',
];

/** Masks ids in a message and in the string values of a log object's own fields (error texts too). */
function maskArg(a: unknown): unknown {
  if (typeof a === 'string') return maskText(a);
  if (a instanceof Error) return { type: a.name, message: maskText(a.message), stack: a.stack ? maskText(a.stack) : undefined };
  if (a && typeof a === 'object' && !Array.isArray(a)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) {
      out[k] = typeof v === 'string' ? maskText(v) : v instanceof Error ? maskArg(v) : v;
    }
    return out;
  }
  return a;
}

export function createLogger(level: string, name = 'motcua', destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: {
      paths: MASKED_PATHS,
      censor: (value: unknown) => (typeof value === 'string' ? maskIdentifier(value) : '[masked]'),
    },
    serializers: {
      // Person ids appear in some paths (/v1/people/{id}): request logs carry the masked URL.
      req: (req: { method?: string; url?: string; ip?: string; id?: string }) => ({
        method: req.method,
        url: maskText(req.url ?? ''),
        remoteAddress: req.ip,
      }),
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map(maskArg) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
