import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MediaType } from '../../services/ocr/types.js';

export interface CorpusSample {
  id: string;
  files: string[];
  format: string;
  pages: number;
  docType: string;
  lines: string[];
  scan: { angles: number[]; dpi: number; turned: number; photo: boolean };
}

export async function loadManifest(dir: string): Promise<CorpusSample[]> {
  const raw: unknown = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
  if (!Array.isArray(raw)) throw new Error(`${dir}/manifest.json is not a list`);
  return raw as CorpusSample[];
}

export function mediaTypeOf(file: string): MediaType {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jpg' || ext === '.jpeg') return 'image/jpeg';
  if (ext === '.png') return 'image/png';
  if (ext === '.tif' || ext === '.tiff') return 'image/tiff';
  if (ext === '.webp') return 'image/webp';
  if (ext === '.avif') return 'image/avif';
  if (ext === '.pdf') return 'application/pdf';
  throw new Error(`unknown extension ${ext}`);
}
