// Job payloads. A job carries only the document id: everything else is read from the catalog, so a
// retried or re-driven job always works on the current state.
import { Type, type Static } from '@sinclair/typebox';
import './formats.js';

export const STAGES = ['ingest', 'ocr', 'code', 'sign'] as const;
export type Stage = (typeof STAGES)[number];

export const DocumentJob = Type.Object({ documentId: Type.String({ format: 'uuid' }) });
export type DocumentJob = Static<typeof DocumentJob>;
