// Shapes of ../shared/API.md as the console reads them (only the fields it shows).
export type Status = 'received' | 'queued' | 'processing' | 'ocr_done' | 'coded' | 'review' | 'done' | 'failed';
export type Action = 'dossier.write' | 'document.read' | 'review' | 'search' | 'reuse' | 'progress' | 'admin';

export interface Me {
  role: 'desk' | 'postal' | 'archive' | 'leader' | 'admin';
  unitCode: string | null;
  includeDescendants: boolean;
  units: string[] | null;
  actions: Action[];
}

export interface Unit {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
  validTo: string | null;
}

export interface ApiDocument {
  id: string;
  dossierCode: string;
  role: 'component' | 'result';
  fileName: string;
  status: Status;
  error: { code: string; message: string } | null;
  pages: number | null;
  docType: string | null;
  docTypeConfidence: number | null;
  fields: Record<string, string> | null;
  fieldChecks: Record<string, unknown> | null;
  code: string | null;
  ocrConfidence: number | null;
  signer: string | null;
  signedAt: string | null;
  reviewReasons: string[] | null;
  createdAt: string;
  updatedAt: string;
  reusedFrom?: string | null;
  reusedIn?: { dossierCode: string; unitCode: string; at: string }[];
  validUntil?: string | null;
  revoked?: boolean | null;
}

export interface Dossier {
  dossierCode: string;
  unitCode: string;
  procedureCode: string;
  applicantId: string;
  channel: string;
  receivedAt: string;
  documents: ApiDocument[];
}

export interface IntakeReply {
  dossierCode: string;
  documents: { id: string; fileName: string; status: Status; duplicateOf: string | null }[];
}

export interface DocType {
  slug: string;
  name: string;
  fields: string[];
}

export interface Verification {
  valid: boolean;
  intact: boolean;
  coversWholeDocument: boolean;
  signer: string | null;
  unitCode: string | null;
  signedAt: string | null;
  chainTrusted: boolean;
  timestamp: string | null;
  reason: string | null;
}

export interface SearchItem {
  id: string;
  code: string | null;
  docType: string | null;
  title: string | null;
  unitCode: string;
  issueDate: string | null;
  personIds: string[];
  snippet: string | null;
  status: Status;
  reusable: boolean;
  notReusableReason: string | null;
}
export interface SearchReply {
  total: number;
  items: SearchItem[];
  nextCursor: string | null;
}

export interface PersonDocument {
  id: string;
  code: string | null;
  docType: string | null;
  title: string | null;
  unitCode: string;
  issueDate: string | null;
  validUntil: string | null;
  reusable: boolean;
  notReusableReason: string | null;
  inScope: boolean;
}

export interface ProgressItem {
  /** null in a report grouped by level. */
  unitCode: string | null;
  name: string;
  level: string;
  dossiersReceived: number;
  dossiersDigitized: number;
  digitizationRate: number | null;
  dossiersWithReuse: number;
  reuseRate: number | null;
  resultsIssued: number;
  resultsDigitized: number;
  resultDigitizationRate: number | null;
  target: { digitization: number | null; reuse: number | null };
  /** The pro-rata target at the report's date (absent: the year's target). */
  targetToDate?: { digitization: number | null; reuse: number | null };
  onTrack: boolean | null;
  /** How many more dossiers reach the year's target. */
  gap: { digitization: number | null; reuse: number | null; results?: number | null };
}
export interface ProgressReply {
  period: string;
  asOf?: string;
  items: ProgressItem[];
}
