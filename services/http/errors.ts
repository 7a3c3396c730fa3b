// Maps every error to the contract's `{"error": {"code", "message"}}`; nothing internal leaks out.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, bi, isAppError, type ErrorCode } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Logger } from '../logger.js';
import { describeValidation } from './validation.js';

const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_REQ_FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  FST_FILES_LIMIT: 'TOO_MANY_FILES',
  FST_PARTS_LIMIT: 'TOO_MANY_FILES',
  FST_FIELDS_LIMIT: 'VALIDATION_FAILED',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'VALIDATION_FAILED',
  FST_ERR_CTP_BODY_TOO_LARGE: 'REQUEST_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

/** Connection-level failures of PostgreSQL (the server unreachable or restarting), not query errors. */
const PG_DOWN = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|57P0[123]|08000|08001|08003|08004|08006)$/;

function catalogDown(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && PG_DOWN.test(e.code)) return true;
  return typeof e?.message === 'string' && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(e.message);
}

export function toAppError(err: unknown): AppError | null {
  if (isAppError(err)) return err;
  if (catalogDown(err)) return new AppError('CATALOG_UNAVAILABLE', undefined, { cause: err, retryAfter: 5 });
  const fe = err as FastifyError;
  if (fe?.validation) return describeValidation(fe.validationContext ?? 'body', fe.validation);
  const mapped = fe?.code ? FRAMEWORK_CODES[fe.code] : undefined;
  // The framework's own sentence stays in the log; the client reads the code's words.
  if (mapped) return new AppError(mapped, undefined, { cause: err });
  if (err instanceof SyntaxError || fe?.statusCode === 400) {
    return new AppError('VALIDATION_FAILED', bi('nội dung yêu cầu không đọc được (JSON hỏng?)', 'the request body cannot be read (broken JSON?)'), { cause: err });
  }
  return null;
}

export function makeErrorHandler(log: Logger, metrics: Metrics) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const app = toAppError(err) ?? new AppError('INTERNAL');
    if (app.code === 'INTERNAL' || app.status >= 500) {
      log.error({ err, reqId: req.id, url: req.routeOptions.url, code: app.code }, 'request failed');
    } else {
      log.info({ reqId: req.id, url: req.routeOptions.url, status: app.status, code: app.code, field: app.field }, 'request refused');
    }
    metrics.rejections.inc({ code: app.code });
    if (app.status === 401) reply.header('WWW-Authenticate', 'Bearer');
    if (app.retryAfter !== undefined) reply.header('Retry-After', String(app.retryAfter));
    // The rest of an oversized body is never read: closing the connection lets the client see the
    // answer instead of waiting to finish an upload nobody is reading.
    if (app.status === 413 || (req.isMultipart() && !req.raw.readableEnded)) reply.header('Connection', 'close');
    return reply.code(app.status).send({ error: app.toJSON() });
  };
}
