// The scans of a folder: found recursively, hashed by streaming (a 50 MB TIFF never sits in memory
// twice), and sent as file-backed blobs.
import { createHash } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import { opendir, stat } from 'node:fs/promises';
import path from 'node:path';

/** What the API accepts; anything else in the folder (notes, the manifest, Thumbs.db) is left alone. */
export const SCAN_EXTENSIONS = new Set(['.pdf', '.tif', '.tiff', '.jpg', '.jpeg', '.png', '.webp', '.avif', '.heic', '.heif']);

export interface ScanFile {
  /** Relative to the ingested folder, with `/` separators: the name in the manifest, state and report. */
  rel: string;
  abs: string;
  size: number;
  mtimeMs: number;
}

export interface FolderListing {
  scans: ScanFile[];
  /** Files skipped because they are not scans (by extension), relative paths. */
  ignored: string[];
}

export const toRel = (root: string, abs: string) => path.relative(root, abs).split(path.sep).join('/');

/** Every scan under `root`, sorted by relative path; hidden files and folders are skipped. */
export async function listScans(root: string, exclude: ReadonlySet<string> = new Set()): Promise<FolderListing> {
  const scans: ScanFile[] = [];
  const ignored: string[] = [];
  async function walk(dir: string): Promise<void> {
    const handle = await opendir(dir);
    for await (const entry of handle) {
      if (entry.name.startsWith('.')) continue;
      const abs = path.join(dir, entry.name);
      if (exclude.has(abs)) continue;
      if (entry.isDirectory()) {
        await walk(abs);
        continue;
      }
      // A symbolic link to a file is followed; one to a folder is not (no loops).
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      const st = await stat(abs).catch(() => null);
      if (!st?.isFile()) continue;
      if (!SCAN_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        ignored.push(toRel(root, abs));
        continue;
      }
      scans.push({ rel: toRel(root, abs), abs, size: st.size, mtimeMs: st.mtimeMs });
    }
  }
  await walk(root);
  const byRel = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  scans.sort((a, b) => byRel(a.rel, b.rel));
  ignored.sort(byRel);
  return { scans, ignored };
}

export async function sha256File(abs: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The file as a lazily read Blob, so a multipart body streams from disk. */
export function fileBlob(abs: string): Promise<Blob> {
  return openAsBlob(abs);
}
