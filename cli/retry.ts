// When and how long to wait before trying a request again. Pure functions, so the policy is tested
// without a network: what is retried (connection errors, 5xx, 429/503 back-pressure, an Idempotency-Key
// still held by the first attempt) and what is not (every other 4xx: retrying cannot fix it).

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;
/** A Retry-After beyond this is taken as this: the tool checks back rather than sleeping for hours. */
export const RETRY_AFTER_CAP_MS = 5 * 60_000;

/**
 * Exponential back-off with "equal jitter": half the step is fixed, half random, so many clients
 * that failed together do not come back together.
 */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(step / 2 + (step / 2) * random());
}

/** `Retry-After` is either delta-seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unusable. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+$/.test(v)) return Math.min(Number(v) * 1000, RETRY_AFTER_CAP_MS);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(0, at - now), RETRY_AFTER_CAP_MS);
}

export type RetryReason = 'unreachable' | 'server-error' | 'busy' | 'in-progress' | 'timeout';

/**
 * A 500 that comes back the same way every time is a fault with this request, not an outage: after
 * this many attempts it is reported (for its dossier) instead of retried for the whole --retry-for.
 */
export const SERVER_ERROR_ATTEMPTS = 4;

/** What to do with an HTTP answer: null means "final, hand it to the caller". */
export function retryReasonFor(status: number, errorCode: string | null): RetryReason | null {
  if (status === 429 || status === 503) return 'busy';
  // A gateway in front of an API that is restarting: the API is away, not failing.
  if (status === 502 || status === 504) return 'unreachable';
  if (status >= 500) return 'server-error';
  if (status === 408) return 'timeout';
  // The first request with this Idempotency-Key is still running (or died holding it): its answer,
  // or the key's release, is what we wait for. Any other 409 is a real conflict.
  if (status === 409 && errorCode === 'IDEMPOTENCY_CONFLICT') return 'in-progress';
  return null;
}

/** Network failures worth another try: the API restarting, a proxy dropping the connection, a timeout. */
export function isTransientNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError') return true;
  if (err.name === 'AbortError') return false; // our own cancellation (Ctrl-C), never retried
  // fetch wraps the socket error as TypeError('fetch failed', { cause }).
  return err instanceof TypeError || (err as NodeJS.ErrnoException).code !== undefined;
}
