// Idempotency keys derived from what is sent, never from when or by whom: the same scans sent to the
// same dossier give the same key in every run, so a request retried after a lost answer (or after a
// SIGKILL between the API's 202 and the state file) is answered from the API's record instead of
// storing the files twice. File names are not part of it: a renamed scan is still the same paper.
import { createHash } from 'node:crypto';
import type { DocumentRole } from '../schemas/api.js';
import type { DossierFieldValues } from './plan.js';

const PREFIX = 'sohoa-v1-';

export interface KeyedFile {
  sha256: string;
  role: DocumentRole;
}

function digest(parts: unknown): string {
  return PREFIX + createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

export function createDossierKey(fields: DossierFieldValues, files: readonly KeyedFile[]): string {
  return digest([
    'create',
    fields.unitCode,
    fields.procedureCode,
    fields.applicantId.trim(),
    fields.channel,
    fields.receivedAt ?? '',
    fields.dossierCode ?? '',
    files.map((f) => [f.sha256, f.role]),
  ]);
}

export function addDocumentsKey(dossierCode: string, files: readonly KeyedFile[]): string {
  return digest(['add', dossierCode, files.map((f) => [f.sha256, f.role])]);
}
