// What every command shares: the language, --json, the API client built from --url/--key or
// SOHOA_URL/SOHOA_KEY, the Ctrl-C signal, and the mapping from any error to a message and exit code.
import { ApiClient, ApiError, UnreachableError, type RetryNotice } from './api.js';
import { CliError, EXIT, type ExitCode } from './exit.js';
import { pickLang, translator, type Lang, type Translate } from './i18n.js';

export interface GlobalOptions {
  url?: string;
  key?: string;
  lang?: string;
  json?: boolean;
  timeout?: string;
  retryFor?: string;
}

export interface Ctx {
  lang: Lang;
  t: Translate;
  json: boolean;
  /** Aborted by the first Ctrl-C or SIGTERM. */
  signal: AbortSignal;
  out(text: string): void;
  err(text: string): void;
  client(opts: { retryForDefaultS: number; onRetry?: (n: RetryNotice) => void }): ApiClient;
  printJson(value: unknown): void;
}

export function positiveInt(t: Translate, option: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new CliError(t('err.badNumber', { option, value: raw }), EXIT.USAGE, 'USAGE');
  return n;
}

export function nonNegativeInt(t: Translate, option: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new CliError(t('err.badNumber', { option, value: raw }), EXIT.USAGE, 'USAGE');
  return n;
}

export function choice<T extends string>(t: Translate, option: string, raw: string | undefined, choices: readonly T[], fallback: T): T {
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new CliError(t('err.badChoice', { option, value: raw, choices: choices.join(', ') }), EXIT.USAGE, 'USAGE');
  }
  return raw as T;
}

export function makeCtx(g: GlobalOptions, signal: AbortSignal, env: NodeJS.ProcessEnv = process.env): Ctx {
  const lang = pickLang(g.lang, env);
  const t = translator(lang);
  const json = Boolean(g.json);
  return {
    lang,
    t,
    json,
    signal,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    printJson: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    client({ retryForDefaultS, onRetry }) {
      const url = g.url ?? env.SOHOA_URL;
      if (!url) throw new CliError(t('err.noUrl'), EXIT.USAGE, 'NO_URL');
      try {
        const u = new URL(url);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
      } catch {
        throw new CliError(t('err.badUrl', { url }), EXIT.USAGE, 'BAD_URL');
      }
      const key = g.key ?? env.SOHOA_KEY;
      if (!key) throw new CliError(t('err.noKey'), EXIT.USAGE, 'NO_KEY');
      return new ApiClient({
        baseUrl: url,
        key,
        timeoutMs: positiveInt(t, '--timeout', g.timeout, 300) * 1000,
        retryForMs: nonNegativeInt(t, '--retry-for', g.retryFor, retryForDefaultS) * 1000,
        signal,
        onRetry,
        userAgent: 'sohoa-cli',
      });
    },
  };
}

export function retryLine(t: Translate, n: RetryNotice): string {
  const seconds = (n.delayMs / 1000).toFixed(n.delayMs < 10_000 ? 1 : 0);
  const key = n.reason === 'busy' ? 'retry.busy' : n.reason === 'unreachable' || n.reason === 'timeout' ? 'retry.unreachable' : 'retry.other';
  return t(key, { detail: n.detail, seconds });
}

export interface Failure {
  exitCode: ExitCode;
  code: string;
  message: string;
}

/** Any error → what the person reads, what a script reads, and the exit code. */
export function describeFailure(err: unknown, t: Translate, baseUrl: string | undefined): Failure {
  if (err instanceof CliError) return { exitCode: err.exitCode, code: err.code, message: err.message };
  if (err instanceof ApiError) {
    if (err.status === 401 || err.status === 403) return { exitCode: EXIT.AUTH, code: err.code, message: t('err.auth', { code: err.code, message: err.apiMessage }) };
    if (err.status === 404) return { exitCode: EXIT.NOT_FOUND, code: err.code, message: t('err.refused', { code: err.code, message: err.apiMessage }) };
    if (err.status >= 500) {
      return { exitCode: EXIT.UNAVAILABLE, code: err.code, message: t('err.refused', { code: err.code, message: err.apiMessage }) };
    }
    return { exitCode: EXIT.REFUSED, code: err.code, message: t('err.refused', { code: err.code, message: err.apiMessage }) };
  }
  if (err instanceof UnreachableError) {
    return {
      exitCode: EXIT.UNAVAILABLE,
      code: 'UNREACHABLE',
      message: t('err.unreachable', { url: baseUrl ?? '?', seconds: Math.round(err.waitedMs / 1000), detail: err.lastProblem }),
    };
  }
  if (err instanceof Error && (err.name === 'AbortError' || (err as { code?: string }).code === 'ABORT_ERR')) {
    return { exitCode: EXIT.INTERRUPTED, code: 'INTERRUPTED', message: t('err.interruptedPlain') };
  }
  return { exitCode: EXIT.INTERNAL, code: 'INTERNAL', message: t('err.internal', { message: err instanceof Error ? err.message : String(err) }) };
}
