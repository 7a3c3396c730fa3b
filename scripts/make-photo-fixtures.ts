// `npm run fixtures:photos`: the shipped set of phone photos and real-looking captures (test/fixtures/photos),
// made from the shipped dev scans (test/fixtures/corpus/dev) by scripts/lib/photo-conditions.ts. Ground truth
// is the source scan's lines (or, for pages printed here, the printed lines). Deterministic: running it
// again gives the same images. Scored per condition by `npm run bench:photos`.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { loadManifest, type CorpusSample } from '../bench/lib/corpus.js';
import { DEV_CORPUS, REPO_ROOT } from '../test/helpers/env.js';
import * as C from './lib/photo-conditions.js';

const OUT = path.join(REPO_ROOT, 'test', 'fixtures', 'photos');

export interface PhotoSample extends CorpusSample {
  condition: string;
  source: string | null;
}

/** Phone-sized source: a 300 dpi scan at ~200 dpi keeps the shipped set to a few MB. */
async function phoneSized(scan: Buffer): Promise<Buffer> {
  const m = await sharp(scan).metadata();
  return (m.width ?? 0) > 1800 ? sharp(scan).resize({ width: 1754 }).jpeg({ quality: 90 }).toBuffer() : sharp(scan).jpeg({ quality: 90 }).toBuffer();
}

async function main(): Promise<void> {
  const dev = await loadManifest(DEV_CORPUS);
  const byId = (id: string): CorpusSample => {
    const s = dev.find((d) => d.id === id);
    if (!s) throw new Error(`dev sample ${id} is missing`);
    return s;
  };
  const scan = async (id: string) => readFile(path.join(DEV_CORPUS, byId(id).files[0] as string));
  const out: PhotoSample[] = [];
  const add = async (condition: string, ext: string, bytes: Buffer, source: CorpusSample | null, lines?: string[]) => {
    const id = `${condition}${source ? `-${source.id}` : ''}`;
    const file = `${id}.${ext}`;
    await writeFile(path.join(OUT, file), bytes);
    out.push({
      id,
      files: [file],
      format: ext,
      pages: 1,
      docType: source?.docType ?? 'unknown',
      lines: lines ?? source?.lines ?? [],
      scan: { angles: [0], dpi: 0, turned: 0, photo: true },
      condition,
      source: source?.id ?? null,
    });
  };
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });

  await add('perspective', 'jpg', await C.perspective(await phoneSized(await scan('quyet-dinh-hanh-chinh-01'))), byId('quyet-dinh-hanh-chinh-01'));
  await add('uneven-light', 'jpg', await C.unevenLight(await scan('giay-khai-sinh-02')), byId('giay-khai-sinh-02'));
  await add('shadow', 'jpg', await C.shadow(await scan('unknown-giay-moi-01')), byId('unknown-giay-moi-01'));
  await add('jpeg-recompressed', 'jpg', await C.recompress(await scan('don-de-nghi-cap-giay-phep-xay-dung-02'), 'jpeg'), byId('don-de-nghi-cap-giay-phep-xay-dung-02'));
  await add('webp-recompressed', 'webp', await C.recompress(await scan('giay-khai-sinh-03'), 'webp'), byId('giay-khai-sinh-03'));
  await add('tag-72dpi', 'jpg', await C.tag72(await phoneSized(await scan('trich-luc-khai-tu-02'))), byId('trich-luc-khai-tu-02'));
  await add('far-photo', 'jpg', await C.farPhoto(await phoneSized(await scan('giay-khai-sinh-03')), 2000), byId('giay-khai-sinh-03'));

  // Pages printed here, with lines of a dev paper, where colour or inversion must be in known places.
  const letter = byId('unknown-giay-moi-01').lines;
  const coloured: C.TextBlock[] = letter.slice(0, 14).map((text, i) => ({
    text,
    size: i === 6 ? 18 : 11,
    bold: i === 6 || i < 2,
    centre: i === 6,
    ...(i === 6 ? { colour: '#e8710a' } : i === 3 ? { colour: '#c62828' } : i === 11 ? { colour: '#1565c0' } : {}),
  }));
  await add('coloured-heading', 'jpg', await C.unevenLight(await C.printedPage(coloured), 0.7), null, coloured.map((b) => b.text));
  const banded: C.TextBlock[] = letter.slice(0, 14).map((text, i) => ({ text, size: i === 6 ? 16 : 11, bold: i === 6, centre: i === 6, ...(i === 6 ? { band: '#262626' } : {}) }));
  await add('white-on-dark-band', 'jpg', await C.printedPage(banded), null, banded.map((b) => b.text));
  const sparse: C.TextBlock[] = letter.slice(-3).map((text) => ({ text, size: 12 }));
  await add('nearly-empty-upright', 'jpg', await C.unevenLight(await C.printedPage(sparse, { top: 500 })), null, sparse.map((b) => b.text));

  await writeFile(path.join(OUT, 'manifest.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`${out.length} images in ${path.relative(REPO_ROOT, OUT)}`);
}

await main();
