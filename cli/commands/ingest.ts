// `sohoa ingest <folder> --unit <code> [--manifest batch.csv] [--channel postal|backlog] ...`
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CHANNELS, DOCUMENT_ROLES, type Channel, type DocumentRole } from '../../schemas/api.js';
import { CliError, EXIT, type ExitCode } from '../exit.js';
import { choice, describeFailure, nonNegativeInt, positiveInt, retryLine, type Ctx } from '../context.js';
import { listScans } from '../files.js';
import { ManifestError, readManifest, type Manifest } from '../manifest.js';
import { buildPlan, checkDossierFields, normalizeReceivedAt, OPTION_OF, PLACEHOLDER } from '../plan.js';
import { defaultStatePath, StateError, StateStore } from '../state.js';
import { Ingest } from '../ingest.js';
import { errorText, issueMessage, summarize, summaryLines, writeReport } from '../report.js';
import { createUi, RateMeter } from '../ui.js';

export interface IngestFlags {
  unit: string;
  manifest?: string;
  channel?: string;
  procedure?: string;
  applicant?: string;
  receivedAt?: string;
  role?: string;
  concurrency?: string;
  wait?: boolean;
  waitTimeout?: string;
  report?: string;
  state?: string;
  verbose?: boolean;
  dryRun?: boolean;
  maxFiles?: string;
  maxMb?: string;
}

interface Counters {
  accepted: number;
  duplicates: number;
  refused: number;
}

export async function ingestCommand(ctx: Ctx, folderArg: string, flags: IngestFlags): Promise<ExitCode> {
  const { t } = ctx;
  const started = Date.now();
  const folder = path.resolve(folderArg);
  const st = await stat(folder).catch(() => null);
  if (!st?.isDirectory()) throw new CliError(t('err.folderMissing', { path: folder }), EXIT.USAGE, 'FOLDER_NOT_FOUND');
  const channel = choice<Channel>(t, '--channel', flags.channel, CHANNELS, 'backlog');
  const role = choice<DocumentRole>(t, '--role', flags.role, DOCUMENT_ROLES, 'component');
  const concurrency = positiveInt(t, '--concurrency', flags.concurrency, 4);
  const waitTimeoutMs = nonNegativeInt(t, '--wait-timeout', flags.waitTimeout, 0) * 60_000;
  let receivedAt: string | undefined;
  if (flags.receivedAt !== undefined) {
    receivedAt = normalizeReceivedAt(flags.receivedAt) ?? undefined;
    if (!receivedAt) throw new CliError(t('issue.INVALID_RECEIVED_AT', { value: flags.receivedAt }), EXIT.USAGE, 'INVALID_RECEIVED_AT');
  }
  const statePath = path.resolve(flags.state ?? defaultStatePath(folder));
  const reportPath = flags.report ? path.resolve(flags.report) : null;

  let manifest: Manifest | null = null;
  if (flags.manifest) {
    const manifestPath = path.resolve(flags.manifest);
    try {
      manifest = await readManifest(manifestPath);
    } catch (err) {
      if (err instanceof ManifestError && err.kind === 'no-file-column') {
        throw new CliError(t('err.manifestNoFile', { path: manifestPath, columns: err.detail }), EXIT.USAGE, 'MANIFEST_NO_FILE_COLUMN');
      }
      throw new CliError(t('err.manifestRead', { path: manifestPath, detail: (err as Error).message }), EXIT.USAGE, 'MANIFEST_UNREADABLE');
    }
  }

  // What the command line gives is checked once, as a usage error, rather than as 500 bad rows.
  const bad = checkDossierFields({
    unitCode: flags.unit,
    procedureCode: flags.procedure ?? PLACEHOLDER.procedureCode,
    applicantId: flags.applicant ?? PLACEHOLDER.applicantId,
    channel,
    ...(receivedAt ? { receivedAt } : {}),
  });
  if (bad) throw new CliError(t('err.invalidFieldOf', { option: OPTION_OF[bad.field] ?? bad.field, detail_vi: bad.vi, detail_en: bad.en }), EXIT.USAGE, 'INVALID_FIELD');

  const exclude = new Set([statePath, `${statePath}.lock`, ...(reportPath ? [reportPath] : [])]);
  const listing = await listScans(folder, exclude);
  const plan = buildPlan(listing.scans, manifest, {
    unitCode: flags.unit,
    channel,
    role,
    procedureCode: flags.procedure,
    applicantId: flags.applicant,
    receivedAt,
  });

  const ui = createUi({ interactive: Boolean(process.stdout.isTTY && process.stderr.isTTY) && !ctx.json });
  const say = (line: string) => ui.log(line);
  say(t('ingest.found', { scans: listing.scans.length, folder, ignored: listing.ignored.length }));
  if (manifest?.unknownColumns.length) say(t('ingest.unknownColumns', { columns: manifest.unknownColumns.join(', ') }));
  for (const i of plan.issues) {
    const vars = { line: i.line ?? '-', file: i.file ?? '-', code: i.code, message: issueMessage(i.code, i.vars, t) };
    say(i.line ? t('ingest.issue', vars) : t('ingest.issueNoLine', vars));
  }
  if (flags.dryRun) {
    const files = plan.dossiers.reduce((n, d) => n + d.files.length, 0);
    if (ctx.json) ctx.printJson({ dryRun: true, dossiers: plan.dossiers.length, files, issues: plan.issues });
    else ctx.out(t('ingest.dryRun', { dossiers: plan.dossiers.length, files }));
    return plan.issues.length > 0 ? EXIT.PARTIAL : EXIT.OK;
  }

  const counters: Counters = { accepted: 0, duplicates: 0, refused: 0 };
  let note = '';
  const client = ctx.client({
    retryForDefaultS: 1800,
    onRetry: (n) => {
      note = retryLine(t, n);
      ui.updateBar(settled, { note });
      if (!ui.interactive) ui.log(note);
    },
  });
  let state: StateStore;
  try {
    state = await StateStore.open(statePath, { apiUrl: client.baseUrl, unitCode: flags.unit, folder });
  } catch (err) {
    if (err instanceof StateError) {
      const key = err.kind === 'mismatch' ? 'err.stateMismatch' : err.kind === 'locked' ? 'err.stateLocked' : 'err.stateCorrupt';
      throw new CliError(t(key, err.detail), EXIT.USAGE, `STATE_${err.kind.toUpperCase()}`);
    }
    throw err;
  }

  const rate = new RateMeter();
  let settled = 0;
  const counts = () => `✓ ${counters.accepted}  ⧉ ${counters.duplicates}  ✗ ${counters.refused}`;
  const ingest = new Ingest(
    client,
    state,
    plan,
    {
      concurrency,
      maxFilesPerRequest: positiveInt(t, '--max-files', flags.maxFiles, 20),
      maxBytesPerRequest: positiveInt(t, '--max-mb', flags.maxMb, 100) * 1024 * 1024,
      wait: Boolean(flags.wait),
      waitTimeoutMs,
    },
    {
      onSettled: (o) => {
        settled++;
        if (o.kind === 'accepted') {
          counters.accepted++;
          if (o.duplicateOf || o.sameAs) counters.duplicates++;
          if (o.acceptedNow) {
            rate.hit();
            note = '';
            if (flags.verbose) {
              const dup = o.sameAs ? t('ingest.acceptedDuplicate', { of: o.sameAs }) : o.duplicateOf ? t('ingest.acceptedDuplicate', { of: o.duplicateOf }) : '';
              ui.log(t('ingest.accepted', { file: o.file, dossier: o.dossierCode, document: o.documentId }) + dup);
            }
          }
        } else if (o.kind === 'refused') {
          counters.refused++;
          ui.log(t('ingest.refused', { file: o.file, code: o.error?.code, message: o.error?.message }));
        }
        ui.updateBar(settled, { counts: counts(), rate: `${Math.round(rate.perMinute())}/min`, note });
      },
      onFollowStart: (total) => {
        ui.stopBar();
        say(t('ingest.following', { count: total }));
        ui.startBar(total, 0, { phase: t('bar.wait'), rate: '', counts: '', note: '' });
      },
      onFollow: (resting) => {
        rate.hit();
        ui.updateBar(resting, { rate: `${Math.round(rate.perMinute())}/min` });
      },
    },
    ctx.signal,
  );
  const known = ingest.countKnown();
  if (known > 0) say(t('ingest.resume', { count: known }));
  ui.startBar(ingest.plannedFiles, 0, { phase: t('bar.upload'), rate: '', counts: counts(), note: '' });

  let failure: unknown = null;
  let followed: Awaited<ReturnType<Ingest['follow']>> | null = null;
  try {
    await ingest.upload();
    if (flags.wait) followed = await ingest.follow();
  } catch (err) {
    failure = err;
  } finally {
    ui.stopBar();
    await state.save().catch(() => undefined);
    await state.unlock();
  }

  const result = ingest.result(plan.issues, followed?.states ?? null, followed?.stillMoving ?? 0);
  if (reportPath) await writeReport(reportPath, result, t);
  const summary = summarize(result, {
    scans: listing.scans.length,
    ignoredFiles: listing.ignored.length,
    requests: client.sent,
    elapsedSeconds: (Date.now() - started) / 1000,
    state: statePath,
    report: reportPath,
  });
  if (failure) {
    // Interrupted, or the API gone for longer than --retry-for: what was accepted is in the state
    // file, and the same command goes on from there.
    const f = ctx.signal.aborted ? { exitCode: EXIT.INTERRUPTED, code: 'INTERRUPTED', message: t('err.interruptedPlain') } : describeFailure(failure, t, client.baseUrl);
    if (f.exitCode === EXIT.INTERNAL) throw failure;
    if (ctx.json) ctx.printJson({ error: { code: f.code, message: f.message }, summary });
    else {
      for (const line of summaryLines(summary, t)) ctx.out(line);
      ctx.err(f.message);
      ctx.err(t('ingest.resumeHint', { path: statePath }));
    }
    return f.exitCode;
  }
  if (ctx.json) ctx.printJson({ summary, files: result.outcomes.map((o) => ({ ...o, error: o.error ? { code: o.error.code, message: errorText(o, t) } : null })) });
  else for (const line of summaryLines(summary, t)) ctx.out(line);
  if (followed && followed.stillMoving > 0) ctx.err(t('ingest.waitTimedOut', { count: followed.stillMoving }));
  const partial = summary.refused > 0 || summary.invalidRows > 0 || summary.failed > 0 || summary.notSent > 0 || (followed?.stillMoving ?? 0) > 0;
  return partial ? EXIT.PARTIAL : EXIT.OK;
}
