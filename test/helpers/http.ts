// A small HTTP client for the tests, on Node's own fetch and FormData.
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface UploadFields {
  unitCode: string;
  procedureCode: string;
  applicantId: string;
  channel: string;
  dossierCode?: string;
  receivedAt?: string;
  roles?: string;
}

export class Client {
  constructor(
    readonly baseUrl: string,
    readonly key: string | null,
  ) {}

  withKey(key: string | null): Client {
    return new Client(this.baseUrl, key);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.key ? { authorization: `Bearer ${this.key}`, ...extra } : extra;
  }

  async json<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(this.baseUrl + url, {
      method,
      headers: this.headers(body === undefined ? headers : { 'content-type': 'application/json', ...headers }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  }

  async raw(url: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
    const res = await fetch(this.baseUrl + url, { headers: this.headers() });
    return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  async upload<T = any>(url: string, fields: Partial<UploadFields>, files: { name: string; bytes: Buffer }[], headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v);
    for (const f of files) form.append('file', new Blob([f.bytes]), f.name);
    const res = await fetch(this.baseUrl + url, { method: 'POST', headers: this.headers(headers), body: form });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }
}

export async function corpusFile(dir: string, name: string): Promise<{ name: string; bytes: Buffer }> {
  return { name, bytes: await readFile(path.join(dir, name)) };
}

export async function waitFor<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
