// The one way the tool talks to the service: its public HTTP API (../shared/API.md), on Node's fetch.
// Every request goes through `send`, which retries what a retry can fix, honours the API's
// back-pressure (429/503 with Retry-After) for all requests of the process at once, and turns every
// other answer into a value or an ApiError with the API's stable code.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffMs, isTransientNetworkError, parseRetryAfter, retryReasonFor, SERVER_ERROR_ATTEMPTS, type RetryReason } from './retry.js';

export interface ApiErrorBody {
  code: string;
  message: string;
  file?: string;
}

/** A final, non-retried answer of the API: a 4xx, or a 5xx once --retry-for ran out. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly apiMessage: string,
    readonly file: string | undefined,
  ) {
    super(`${status} ${code}: ${apiMessage}`);
    this.name = 'ApiError';
  }
}

/** The API could not be reached (or kept failing) for longer than the retry window. */
export class UnreachableError extends Error {
  constructor(
    readonly lastProblem: string,
    readonly waitedMs: number,
  ) {
    super(lastProblem);
    this.name = 'UnreachableError';
  }
}

export interface RetryNotice {
  reason: RetryReason;
  /** What happened, short: "ECONNREFUSED", "503 QUEUE_FULL", ... */
  detail: string;
  attempt: number;
  delayMs: number;
  method: string;
  path: string;
}

export interface ClientOptions {
  baseUrl: string;
  key: string;
  /** How long one request may keep being retried before the tool gives up on it. */
  retryForMs: number;
  /** Per attempt: connect, send and receive the whole answer. */
  timeoutMs: number;
  /** Cancels everything in flight (Ctrl-C). */
  signal?: AbortSignal;
  onRetry?: (n: RetryNotice) => void;
  userAgent?: string;
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  /** Built again for every attempt: a request body is consumed by sending it. */
  form?: () => Promise<FormData> | FormData;
  idempotencyKey?: string;
  /** How the body is read: JSON (default) or text (CSV exports). */
  as?: 'json' | 'text';
}

export interface Answer<T> {
  status: number;
  body: T;
  headers: Headers;
}

function describeNetworkError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timeout';
  return e.cause?.code ?? (e as NodeJS.ErrnoException).code ?? e.cause?.message ?? e.message;
}

export class ApiClient {
  readonly baseUrl: string;
  /** Back-pressure is shared: when the API says "wait", no request of this process goes before then. */
  private pausedUntil = 0;
  /** Requests sent, by method (retries included): the tests and the run summary read them. */
  readonly sent = { GET: 0, POST: 0 };

  constructor(private readonly opts: ClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
  }

  url(path: string, query?: RequestSpec['query']): string {
    const u = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u.toString();
  }

  private async waitGate(): Promise<void> {
    for (;;) {
      const wait = this.pausedUntil - Date.now();
      if (wait <= 0) return;
      await sleep(wait, undefined, { signal: this.opts.signal });
    }
  }

  private pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  async send<T = unknown>(spec: RequestSpec): Promise<Answer<T>> {
    const started = Date.now();
    const headers: Record<string, string> = { authorization: `Bearer ${this.opts.key}`, accept: spec.as === 'text' ? 'text/csv, text/plain, */*' : 'application/json' };
    if (this.opts.userAgent) headers['user-agent'] = this.opts.userAgent;
    if (spec.idempotencyKey) headers['idempotency-key'] = spec.idempotencyKey;
    if (spec.json !== undefined) headers['content-type'] = 'application/json';
    const url = this.url(spec.path, spec.query);

    let serverErrors = 0;
    for (let attempt = 0; ; attempt++) {
      await this.waitGate();
      this.opts.signal?.throwIfAborted();
      let problem: { reason: RetryReason; detail: string; retryAfterMs: number | null; final: ApiError | null };
      try {
        const timeout = AbortSignal.timeout(this.opts.timeoutMs);
        const signal = this.opts.signal ? AbortSignal.any([this.opts.signal, timeout]) : timeout;
        const body = spec.form ? await spec.form() : spec.json !== undefined ? JSON.stringify(spec.json) : undefined;
        this.sent[spec.method] += 1;
        const res = await fetch(url, { method: spec.method, headers, body, signal });
        const text = await res.text();
        if (res.ok) {
          const parsed = spec.as === 'text' ? text : text ? JSON.parse(text) : null;
          return { status: res.status, body: parsed as T, headers: res.headers };
        }
        const err = parseErrorBody(text, res.status);
        const reason = retryReasonFor(res.status, err.code);
        const final = new ApiError(res.status, err.code, err.message, err.file);
        if (!reason) throw final;
        if (reason === 'server-error' && ++serverErrors >= SERVER_ERROR_ATTEMPTS) throw final;
        problem = { reason, detail: `${res.status} ${err.code}`, retryAfterMs: parseRetryAfter(res.headers.get('retry-after')), final };
      } catch (err) {
        if (err instanceof ApiError) throw err;
        if (this.opts.signal?.aborted) throw this.opts.signal.reason ?? err;
        if (!isTransientNetworkError(err)) throw err;
        problem = { reason: describeNetworkError(err) === 'timeout' ? 'timeout' : 'unreachable', detail: describeNetworkError(err), retryAfterMs: null, final: null };
      }
      const delayMs = problem.retryAfterMs ?? backoffMs(attempt);
      const waited = Date.now() - started;
      if (waited + delayMs > this.opts.retryForMs) {
        if (problem.final) throw problem.final;
        throw new UnreachableError(problem.detail, waited);
      }
      // Back-pressure and outages concern the whole API, so every request of the process holds back;
      // an idempotency key still in use concerns only this request.
      if (problem.reason === 'busy' || problem.reason === 'unreachable') this.pause(delayMs);
      this.opts.onRetry?.({ reason: problem.reason, detail: problem.detail, attempt: attempt + 1, delayMs, method: spec.method, path: spec.path });
      if (problem.reason === 'in-progress' || problem.reason === 'server-error' || problem.reason === 'timeout') {
        await sleep(delayMs, undefined, { signal: this.opts.signal });
      }
    }
  }

  async get<T = unknown>(path: string, query?: RequestSpec['query']): Promise<T> {
    return (await this.send<T>({ method: 'GET', path, query })).body;
  }
}

function parseErrorBody(text: string, status: number): ApiErrorBody {
  try {
    const parsed = JSON.parse(text) as { error?: Partial<ApiErrorBody> };
    if (parsed?.error && typeof parsed.error.code === 'string') {
      return { code: parsed.error.code, message: String(parsed.error.message ?? ''), file: parsed.error.file };
    }
  } catch {
    // not JSON: a proxy's or load balancer's page
  }
  return { code: `HTTP_${status}`, message: text.slice(0, 200).replace(/\s+/g, ' ').trim() };
}
