// Reads a multipart upload into text fields and file buffers, within the per-file and per-request limits.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';
import type { IncomingFile } from '../intake.js';

export interface Upload {
  fields: Record<string, string>;
  files: IncomingFile[];
}

export interface UploadLimits {
  maxRequestBytes: number;
}

export async function readUpload(req: FastifyRequest, limits: UploadLimits): Promise<Upload> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limits.maxRequestBytes) throw new AppError('REQUEST_TOO_LARGE', `${declared} bytes`);
  const fields: Record<string, string> = {};
  const files: IncomingFile[] = [];
  let total = 0;
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw new AppError('VALIDATION_FAILED', `file field "${part.fieldname}": files go in fields named "file"`);
      }
      const bytes = await part.toBuffer();
      total += bytes.length;
      if (total > limits.maxRequestBytes) throw new AppError('REQUEST_TOO_LARGE');
      files.push({ fileName: (part.filename || `file-${files.length + 1}`).normalize('NFC').slice(0, 255), bytes });
    } else if (typeof part.value === 'string') {
      fields[part.fieldname] = part.value.trim();
    }
  }
  return { fields, files };
}

/** Drains an upload whose answer is already known (an idempotent replay). */
export async function drainUpload(req: FastifyRequest): Promise<void> {
  for await (const part of req.parts()) {
    if (part.type === 'file') part.file.resume();
  }
}
