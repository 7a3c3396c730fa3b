// The two write calls of the API the tool makes: create a dossier with files, add files to one.
// Bodies are multipart with file-backed blobs, rebuilt for every attempt.
import path from 'node:path';
import type { Document, IntakeReply } from '../schemas/api.js';
import type { ApiClient } from './api.js';
import { fileBlob } from './files.js';
import type { DossierFieldValues } from './plan.js';
import type { KeyedFile } from './idempotency.js';

export interface OutgoingFile extends KeyedFile {
  abs: string;
  /** The name the API records (the scan's base name; the multipart parser keeps no folders). */
  name: string;
}

async function form(fields: Record<string, string | undefined>, files: readonly OutgoingFile[]): Promise<FormData> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== '') fd.append(k, v);
  fd.append('roles', files.map((f) => f.role).join(','));
  for (const f of files) fd.append('file', await fileBlob(f.abs), f.name);
  return fd;
}

export function outgoing(abs: string, sha256: string, role: KeyedFile['role']): OutgoingFile {
  return { abs, sha256, role, name: path.basename(abs) };
}

export async function createDossier(client: ApiClient, fields: DossierFieldValues, files: readonly OutgoingFile[], idempotencyKey: string): Promise<IntakeReply> {
  const text = {
    unitCode: fields.unitCode,
    procedureCode: fields.procedureCode,
    applicantId: fields.applicantId,
    channel: fields.channel,
    dossierCode: fields.dossierCode,
    receivedAt: fields.receivedAt,
  };
  const res = await client.send<IntakeReply>({ method: 'POST', path: '/v1/dossiers', form: () => form(text, files), idempotencyKey });
  return res.body;
}

export async function addDocuments(client: ApiClient, dossierCode: string, files: readonly OutgoingFile[], idempotencyKey: string): Promise<IntakeReply> {
  const res = await client.send<IntakeReply>({
    method: 'POST',
    path: `/v1/dossiers/${encodeURIComponent(dossierCode)}/documents`,
    form: () => form({}, files),
    idempotencyKey,
  });
  return res.body;
}

export interface DossierView {
  dossierCode: string;
  unitCode: string;
  procedureCode: string;
  applicantId: string;
  channel: string;
  receivedAt: string;
  documents: Document[];
}

export const RESTING = new Set(['done', 'review', 'failed']);
