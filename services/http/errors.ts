// Maps every error to the contract's `{"error": {"code", "message"}}`; nothing internal leaks out.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, type ErrorCode } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Logger } from '../logger.js';

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

export function toAppError(err: unknown): AppError | null {
  if (isAppError(err)) return err;
  const fe = err as FastifyError;
  if (fe?.validation) return new AppError('VALIDATION_FAILED', `${fe.validationContext ?? 'request'}: ${fe.message}`);
  const mapped = fe?.code ? FRAMEWORK_CODES[fe.code] : undefined;
  if (mapped) return new AppError(mapped, fe.message);
  if (err instanceof SyntaxError || fe?.statusCode === 400) return new AppError('VALIDATION_FAILED', fe.message);
  return null;
}

export function makeErrorHandler(log: Logger, metrics: Metrics) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const app = toAppError(err) ?? new AppError('INTERNAL');
    if (app.code === 'INTERNAL' || app.status >= 500) {
      log.error({ err, reqId: req.id, url: req.routeOptions.url }, 'request failed');
    }
    metrics.rejections.inc({ code: app.code });
    if (app.status === 401) reply.header('WWW-Authenticate', 'Bearer');
    // The rest of an oversized body is never read: closing the connection lets the client see the
    // answer instead of waiting to finish an upload nobody is reading.
    if (app.status === 413 || (req.isMultipart() && !req.raw.readableEnded)) reply.header('Connection', 'close');
    return reply.code(app.status).send({ error: app.toJSON() });
  };
}
