// Object store adapter. The code always speaks S3 through the minio client: real MinIO in production,
// an in-process s3rver on a local folder when no endpoint is configured (development and tests).
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import * as Minio from 'minio';
import S3rver from 's3rver';

/** Large enough that no object we store is split into a multipart upload (s3rver cannot take one). */
const PART_SIZE = 512 * 1024 * 1024;

export interface ObjectStoreOptions {
  endpoint?: string | undefined;
  accessKey?: string | undefined;
  secretKey?: string | undefined;
  region: string;
  buckets: string[];
  embedded?: { directory: string; port: number } | undefined;
}

export interface StoredObject {
  size: number;
  metadata: Record<string, string>;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
}

export interface ObjectStore {
  /** Every object under a prefix, for the integrity check. */
  list(bucket: string, prefix?: string): AsyncIterable<ListedObject>;
  put(bucket: string, key: string, body: Buffer, metadata?: Record<string, string>): Promise<void>;
  get(bucket: string, key: string): Promise<Buffer>;
  stream(bucket: string, key: string): Promise<Readable>;
  stat(bucket: string, key: string): Promise<StoredObject | null>;
  remove(bucket: string, key: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly description: string;
}

/** S3 user metadata must be ASCII: Vietnamese values are percent-encoded. */
export function asciiMetadata(meta: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta)) out[k] = encodeURIComponent(v);
  return out;
}

function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey' || code === 'NoSuchObject';
}

/** Starts the development store: s3rver on a local folder. Also used standalone (scripts/s3-dev.ts). */
/** Whether something already listens on a local port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startEmbedded(directory: string, port: number): Promise<{ server: S3rver | null; port: number }> {
  await mkdir(directory, { recursive: true });
  // Another local process (api and worker started apart, a tool) already serves this folder: share it.
  // (Checked first: s3rver reports a taken port as an unhandled error event, not a rejection.)
  if (port !== 0 && (await listening(port))) return { server: null, port };
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory });
  try {
    const addr = await server.run();
    return { server, port: addr.port };
  } catch (err) {
    // Another local process (api and worker started apart) already serves this folder: share it.
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') return { server: null, port };
    throw err;
  }
}

export async function createObjectStore(opts: ObjectStoreOptions): Promise<ObjectStore> {
  let embedded: S3rver | null = null;
  let client: Minio.Client;
  let description: string;
  if (opts.endpoint) {
    const url = new URL(opts.endpoint);
    client = new Minio.Client({
      endPoint: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      useSSL: url.protocol === 'https:',
      accessKey: opts.accessKey ?? '',
      secretKey: opts.secretKey ?? '',
      region: opts.region,
      partSize: PART_SIZE,
      pathStyle: true,
    });
    description = `S3 at ${url.origin}`;
  } else {
    if (!opts.embedded) throw new Error('no S3 endpoint and no embedded store configured');
    const started = await startEmbedded(path.resolve(opts.embedded.directory), opts.embedded.port);
    embedded = started.server;
    client = new Minio.Client({
      endPoint: '127.0.0.1',
      port: started.port,
      useSSL: false,
      accessKey: 'S3RVER',
      secretKey: 'S3RVER',
      region: opts.region,
      partSize: PART_SIZE,
      pathStyle: true,
    });
    description = `embedded development store (s3rver) at 127.0.0.1:${started.port}, folder ${opts.embedded.directory}`;
  }

  for (const bucket of opts.buckets) {
    if (!(await client.bucketExists(bucket))) {
      try {
        await client.makeBucket(bucket, opts.region);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err;
      }
    }
  }

  const store: ObjectStore = {
    description,
    async *list(bucket, prefix = '') {
      for await (const o of client.listObjectsV2(bucket, prefix, true) as AsyncIterable<{ name?: string; size: number; lastModified: Date }>) {
        if (o.name) yield { key: o.name, size: o.size, lastModified: o.lastModified };
      }
    },
    async put(bucket, key, body, metadata = {}) {
      await client.putObject(bucket, key, body, body.length, asciiMetadata(metadata));
    },
    async get(bucket, key) {
      const s = await client.getObject(bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of s) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    stream(bucket, key) {
      return client.getObject(bucket, key);
    },
    async stat(bucket, key) {
      try {
        const s = await client.statObject(bucket, key);
        const metadata: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.metaData ?? {})) {
          metadata[k] = typeof v === 'string' ? decodeURIComponent(v) : String(v);
        }
        return { size: s.size, metadata };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
    async remove(bucket, key) {
      await client.removeObject(bucket, key);
    },
    async ping() {
      await client.bucketExists(opts.buckets[0] ?? 'originals');
    },
    async close() {
      if (embedded) await embedded.close();
    },
  };
  return store;
}
