// `sohoa upload <files...>`: one dossier with several files, as a desk or a postal partner sends it.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CHANNELS, DOCUMENT_ROLES, type Channel, type DocumentRole } from '../../schemas/api.js';
import { CliError, EXIT, type ExitCode } from '../exit.js';
import { choice, nonNegativeInt, retryLine, type Ctx } from '../context.js';
import { sha256File } from '../files.js';
import { createDossierKey } from '../idempotency.js';
import { createDossier, outgoing } from '../intake.js';
import { checkDossierFields, normalizeReceivedAt, OPTION_OF, type DossierFieldValues } from '../plan.js';
import { follow } from '../follow.js';
import { table } from '../output.js';

export interface UploadFlags {
  unit: string;
  procedure: string;
  applicant: string;
  channel?: string;
  dossierCode?: string;
  receivedAt?: string;
  role?: string;
  roles?: string;
  wait?: boolean;
  waitTimeout?: string;
}

export async function uploadCommand(ctx: Ctx, fileArgs: string[], flags: UploadFlags): Promise<ExitCode> {
  const { t } = ctx;
  const channel = choice<Channel>(t, '--channel', flags.channel, CHANNELS, 'postal');
  let roles: DocumentRole[];
  if (flags.roles) {
    const list = flags.roles.split(',').map((r) => r.trim());
    if (list.length !== fileArgs.length) throw new CliError(t('err.rolesCount', { roles: list.length, files: fileArgs.length }), EXIT.USAGE, 'ROLES_MISMATCH');
    roles = list.map((r) => choice<DocumentRole>(t, '--roles', r, DOCUMENT_ROLES, 'component'));
  } else {
    const one = choice<DocumentRole>(t, '--role', flags.role, DOCUMENT_ROLES, 'component');
    roles = fileArgs.map(() => one);
  }
  let receivedAt: string | undefined;
  if (flags.receivedAt !== undefined) {
    receivedAt = normalizeReceivedAt(flags.receivedAt) ?? undefined;
    if (!receivedAt) throw new CliError(t('issue.INVALID_RECEIVED_AT', { value: flags.receivedAt }), EXIT.USAGE, 'INVALID_RECEIVED_AT');
  }
  const fields: DossierFieldValues = {
    unitCode: flags.unit,
    procedureCode: flags.procedure,
    applicantId: flags.applicant,
    channel,
    ...(flags.dossierCode ? { dossierCode: flags.dossierCode } : {}),
    ...(receivedAt ? { receivedAt } : {}),
  };
  const bad = checkDossierFields(fields);
  if (bad) throw new CliError(t('err.invalidFieldOf', { option: OPTION_OF[bad.field] ?? bad.field, detail_vi: bad.vi, detail_en: bad.en }), EXIT.USAGE, 'INVALID_FIELD');

  const files = [];
  for (const [i, arg] of fileArgs.entries()) {
    const abs = path.resolve(arg);
    const st = await stat(abs).catch(() => null);
    if (!st?.isFile()) throw new CliError(t('err.fileMissing', { path: abs }), EXIT.USAGE, 'FILE_NOT_FOUND');
    files.push(outgoing(abs, await sha256File(abs), roles[i]!));
  }
  const client = ctx.client({ retryForDefaultS: 600, onRetry: (n) => ctx.err(retryLine(t, n)) });
  const reply = await createDossier(client, fields, files, createDossierKey(fields, files));

  let states = null;
  if (flags.wait) {
    const docs = new Map(reply.documents.map((d) => [d.id, reply.dossierCode]));
    states = await follow(client, docs, { concurrency: 2, timeoutMs: nonNegativeInt(t, '--wait-timeout', flags.waitTimeout, 0) * 60_000, signal: ctx.signal });
  }
  const rows = reply.documents.map((d, i) => {
    const s = states?.get(d.id);
    return {
      file: fileArgs[i] ?? d.fileName,
      id: d.id,
      status: s?.status ?? d.status,
      duplicateOf: d.duplicateOf,
      docType: s?.docType ?? null,
      code: s?.code ?? null,
      pages: s?.pages ?? d.pages,
      error: s?.error ?? null,
    };
  });
  if (ctx.json) ctx.printJson({ dossierCode: reply.dossierCode, documents: rows });
  else {
    ctx.out(t('upload.sent', { code: reply.dossierCode }));
    ctx.out(
      table(
        [t('col.file'), t('col.id'), t('col.status'), t('col.docType'), t('col.code'), t('col.pages'), t('col.error')],
        rows.map((r) => [r.file, r.id, r.status + (r.duplicateOf ? ' (dup)' : ''), r.docType, r.code, r.pages, r.error ? `${r.error.code}: ${r.error.message}` : '']),
      ),
    );
  }
  const stillMoving = states ? rows.filter((r) => !['done', 'review', 'failed'].includes(r.status)).length : 0;
  return rows.some((r) => r.status === 'failed') || stillMoving > 0 ? EXIT.PARTIAL : EXIT.OK;
}

