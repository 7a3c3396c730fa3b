import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface ModelLocation {
  langDir: string;
  /** The npm data packages ship .traineddata.gz; Debian ships them uncompressed. */
  gzip: boolean;
  model: string;
}

const require = createRequire(import.meta.url);

export const DEBIAN_TESSDATA = '/usr/share/tesseract-ocr/5/tessdata';

function npmDataDir(pkg: string, variant: '4.0.0' | '4.0.0_best_int'): string {
  const root = path.dirname(require.resolve(`${pkg}/package.json`));
  return path.join(root, variant);
}

export function npmVieBestInt(): ModelLocation {
  return { langDir: npmDataDir('@tesseract.js-data/vie', '4.0.0_best_int'), gzip: true, model: 'vie 4.0.0_best_int (npm)' };
}

export function debianVie(): ModelLocation {
  return { langDir: DEBIAN_TESSDATA, gzip: false, model: 'vie tessdata_fast (Debian tesseract-ocr-vie)' };
}

/** Resolve a folder to a model, telling gzip from the file that is actually there. */
export function modelAt(langDir: string, lang = 'vie'): ModelLocation {
  if (existsSync(path.join(langDir, `${lang}.traineddata`))) {
    return { langDir, gzip: false, model: `${lang} (${langDir})` };
  }
  if (existsSync(path.join(langDir, `${lang}.traineddata.gz`))) {
    return { langDir, gzip: true, model: `${lang} (${langDir}, gz)` };
  }
  throw new Error(`no ${lang}.traineddata(.gz) in ${langDir}`);
}
