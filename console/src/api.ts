// The console talks to the public API like any integration. The key lives in sessionStorage only
// (gone with the tab), is sent as a Bearer header, and never appears in a URL or a log.
import type { ApiDocument, Me } from './types';

const KEY = 'motcua.key';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const unauthorized = new Set<() => void>();
/** Called when the API answers 401: the page returns to sign-in. */
export const onUnauthorized = (f: () => void): void => void unauthorized.add(f);

export const getKey = (): string | null => sessionStorage.getItem(KEY);
export const setKey = (k: string): void => sessionStorage.setItem(KEY, k);
export function signOut(): void {
  sessionStorage.removeItem(KEY);
  for (const f of unauthorized) f();
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const k = getKey();
  return k ? { authorization: `Bearer ${k}`, ...extra } : extra;
}

async function fail(res: Response): Promise<never> {
  let code = 'HTTP_' + res.status;
  let message = res.statusText;
  let field: string | undefined;
  try {
    const body = (await res.json()) as { error?: { code: string; message: string; field?: string } };
    if (body.error) ({ code, message, field } = body.error);
  } catch {
    /* not JSON: keep the status line */
  }
  if (res.status === 401) signOut();
  throw new ApiError(res.status, code, message, field);
}

export async function api<T>(method: string, url: string, body?: unknown, extra: Record<string, string> = {}): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: headers(body === undefined ? extra : { 'content-type': 'application/json', ...extra }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) return fail(res);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

export const get = <T>(url: string): Promise<T> => api<T>('GET', url);

/** A binary the API guards with the key (a PDF, a page picture, a report) as a blob: URL. */
export async function blobUrl(url: string): Promise<string> {
  const res = await fetch(url, { headers: headers() });
  if (!res.ok) return fail(res);
  return URL.createObjectURL(await res.blob());
}

export async function download(url: string, fileName: string): Promise<void> {
  const href = await blobUrl(url);
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** A multipart POST through XMLHttpRequest: fetch cannot report upload progress. */
export function upload<T>(url: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [k, v] of Object.entries(headers({ 'idempotency-key': crypto.randomUUID() }))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'Mất kết nối tới máy chủ / The server cannot be reached'));
    xhr.onload = () => {
      const body = (() => {
        try {
          return JSON.parse(xhr.responseText) as unknown;
        } catch {
          return null;
        }
      })();
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body as T);
        return;
      }
      if (xhr.status === 401) signOut();
      const e = (body as { error?: { code: string; message: string; field?: string } } | null)?.error;
      reject(new ApiError(xhr.status, e?.code ?? `HTTP_${xhr.status}`, e?.message ?? xhr.statusText, e?.field));
    };
    xhr.send(form);
  });
}

export const me = (): Promise<Me> => get<Me>('/v1/me');
export const documentById = (id: string): Promise<ApiDocument> => get<ApiDocument>(`/v1/documents/${encodeURIComponent(id)}`);

/**
 * Polls until `done(value)` with back-off: quick at first (a clerk is watching), slower while nothing
 * changes, quick again after a change. Returns a stop function.
 */
export function poll<T>(load: () => Promise<T>, onValue: (v: T) => void, done: (v: T) => boolean, opts = { first: 700, max: 8000 }): () => void {
  let stopped = false;
  let delay = opts.first;
  let last = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    if (stopped) return;
    try {
      const v = await load();
      if (stopped) return;
      onValue(v);
      if (done(v)) return;
      const sig = JSON.stringify(v);
      delay = sig === last ? Math.min(opts.max, delay * 1.6) : opts.first;
      last = sig;
    } catch {
      delay = Math.min(opts.max, delay * 2);
    }
    timer = setTimeout(() => void tick(), delay);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
