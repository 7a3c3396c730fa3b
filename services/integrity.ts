// The archive checks itself, like a librarian: every catalog document has its original in the store
// with the recorded SHA-256, and (once done) its signed PDF, intact and still verifying; every object in
// the store belongs to a catalog row; codes match their schemes and the counters they were drawn from
// are not behind them. It reports; it never repairs silently. With `repair`, what can be redone is
// re-queued (a lost or damaged signed copy is signed again under the same code; a counter behind its
// codes is raised) and audited; what cannot (a lost original) stays reported.
import { createHash } from 'node:crypto';
import * as repo from '../storage/catalog/integrity.js';
import { recordAudit } from '../storage/catalog/audit.js';
import type { AppContext } from './context.js';
import { handOn } from './pipeline.js';
import { loadSchemes } from './codes/index.js';

export type FindingKind =
  | 'original-missing'
  | 'original-altered'
  | 'signed-missing'
  | 'signed-altered'
  | 'signature-invalid'
  | 'reading-missing'
  | 'orphan-object'
  | 'code-invalid'
  | 'counter-behind';

export interface Finding {
  kind: FindingKind;
  documentId?: string;
  bucket?: string;
  key?: string;
  detail: string;
  /** A counter behind the codes drawn from it: its scope and the highest value already handed out. */
  counter?: { scope: string; used: number };
  /** What --repair did about it, when it could do something. */
  repaired?: string;
}

export interface IntegrityReport {
  checkedDocuments: number;
  checkedObjects: number;
  findings: Finding[];
  repaired: number;
  ms: number;
}

export interface CheckOptions {
  repair?: boolean;
  /** Objects younger than this are not orphans yet: an upload may be between its store write and its commit. */
  orphanGraceMs?: number;
  actor?: string;
}

const PAGE = 200;

async function sha256Of(ctx: AppContext, bucket: string, key: string): Promise<string | null> {
  const stat = await ctx.store.stat(bucket, key);
  if (!stat) return null;
  const hash = createHash('sha256');
  for await (const chunk of await ctx.store.stream(bucket, key)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function checkDocuments(ctx: AppContext, findings: Finding[]): Promise<number> {
  const { S3_BUCKET_ORIGINALS: originals, S3_BUCKET_RESULTS: results } = ctx.config;
  const schemes = new Map(loadSchemes().map((s) => [s.id, s]));
  let after: string | null = null;
  let n = 0;
  // A reused paper shares its source's objects: they are checked once, with the source.
  for (;;) {
    const page = await repo.documentsPage(ctx.db, after, PAGE);
    if (page.length === 0) break;
    for (const d of page) {
      n += 1;
      if (d.reusedFrom) continue;
      const sha = await sha256Of(ctx, originals, d.originalKey);
      if (sha === null) findings.push({ kind: 'original-missing', documentId: d.id, bucket: originals, key: d.originalKey, detail: 'the uploaded original is not in the store' });
      else if (sha !== d.sha256) findings.push({ kind: 'original-altered', documentId: d.id, bucket: originals, key: d.originalKey, detail: `stored bytes hash to ${sha.slice(0, 16)}…, the catalog recorded ${d.sha256.slice(0, 16)}…` });
      if (d.status === 'done') {
        if (!d.signedKey || !d.signedSha256) {
          findings.push({ kind: 'signed-missing', documentId: d.id, detail: 'done, but the catalog names no signed PDF' });
        } else {
          const signedSha = await sha256Of(ctx, results, d.signedKey);
          if (signedSha === null) findings.push({ kind: 'signed-missing', documentId: d.id, bucket: results, key: d.signedKey, detail: 'the signed PDF is not in the store' });
          else if (signedSha !== d.signedSha256) findings.push({ kind: 'signed-altered', documentId: d.id, bucket: results, key: d.signedKey, detail: 'the signed PDF differs from the one recorded' });
          else {
            const v = await ctx.signatures.verify(await ctx.store.get(results, d.signedKey));
            if (!v.valid) findings.push({ kind: 'signature-invalid', documentId: d.id, bucket: results, key: d.signedKey, detail: v.reason ?? 'the signature does not verify' });
          }
        }
      }
      if (['ocr_done', 'coded', 'review', 'done'].includes(d.status)) {
        for (const key of [d.ocrKey, d.pdfKey]) {
          if (!key || !(await ctx.store.stat(results, key))) {
            findings.push({ kind: 'reading-missing', documentId: d.id, bucket: results, key: key ?? undefined, detail: 'the OCR reading or the unsigned searchable PDF is missing' });
          }
        }
      }
      if (d.code) {
        const scheme = d.codeScheme ? schemes.get(d.codeScheme) : undefined;
        if (!scheme || !scheme.pattern.test(d.code)) findings.push({ kind: 'code-invalid', documentId: d.id, detail: `code ${d.code} does not match its scheme ${d.codeScheme ?? '(none)'}` });
      }
    }
    after = page[page.length - 1]!.id;
  }
  return n;
}

async function checkObjects(ctx: AppContext, findings: Finding[], graceMs: number): Promise<number> {
  let n = 0;
  const cutoff = Date.now() - graceMs;
  for (const [bucket, unknown] of [
    [ctx.config.S3_BUCKET_ORIGINALS, repo.unknownOriginals],
    [ctx.config.S3_BUCKET_RESULTS, repo.unknownResults],
  ] as const) {
    let batch: string[] = [];
    const flush = async () => {
      for (const key of await unknown(ctx.db, batch)) findings.push({ kind: 'orphan-object', bucket, key, detail: 'no catalog row names this object' });
      batch = [];
    };
    for await (const o of ctx.store.list(bucket)) {
      n += 1;
      if (o.lastModified.getTime() > cutoff) continue;
      batch.push(o.key);
      if (batch.length >= 500) await flush();
    }
    if (batch.length) await flush();
  }
  return n;
}

export async function checkArchive(ctx: AppContext, opts: CheckOptions = {}): Promise<IntegrityReport> {
  const started = performance.now();
  const findings: Finding[] = [];
  const checkedDocuments = await checkDocuments(ctx, findings);
  const checkedObjects = await checkObjects(ctx, findings, opts.orphanGraceMs ?? 3_600_000);
  for (const c of await repo.countersBehind(ctx.db)) {
    findings.push({ kind: 'counter-behind', counter: { scope: c.scope, used: c.used }, detail: `counter ${c.scope} is at ${c.last}, but ${c.used} was already handed out` });
  }
  let repaired = 0;
  if (opts.repair) {
    for (const f of findings) {
      if ((f.kind === 'signed-missing' || f.kind === 'signed-altered' || f.kind === 'signature-invalid') && f.documentId) {
        if (await repo.reopenForSigning(ctx.db, f.documentId)) {
          await handOn(ctx, f.documentId, 'coded');
          f.repaired = 're-queued for signing under the same code';
        }
      } else if (f.counter) {
        await repo.raiseCounter(ctx.db, f.counter.scope, f.counter.used);
        f.repaired = `counter raised to ${f.counter.used}`;
      }
      if (f.repaired) {
        repaired += 1;
        await recordAudit(ctx.db, { actor: opts.actor ?? 'system:check', action: 'integrity.repair', targetType: f.documentId ? 'document' : 'counter', targetId: f.documentId ?? null, detail: f });
      }
    }
  }
  const report = { checkedDocuments, checkedObjects, findings, repaired, ms: Math.round(performance.now() - started) };
  await recordAudit(ctx.db, { actor: opts.actor ?? 'system:check', action: 'integrity.check', detail: { checkedDocuments, checkedObjects, findings: findings.length, repaired } });
  ctx.log.info({ checkedDocuments, checkedObjects, findings: findings.length, repaired, ms: report.ms }, 'integrity check done');
  return report;
}
