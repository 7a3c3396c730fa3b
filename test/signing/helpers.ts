import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument, PDFName, PDFRef, StandardFonts } from 'pdf-lib';
import { appendUpdate, previousSize, previousXref, serializeObject } from '../../services/signing/incremental.js';

export const PASSPHRASE = 'test-passphrase-Đ';
export const UNITS = [
  { code: '000.00.12.H54', name: 'Ủy ban nhân dân xã Đông Hưng' },
  { code: '000.00.01.H54', name: 'Sở Tư pháp tỉnh Thái Bình' },
];

const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `signing-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes every directory tempDir made in this test file (they hold test keys). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function samplePdf(opts: { objectStreams?: boolean; pages?: number } = {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < (opts.pages ?? 1); i++) {
    doc.addPage([595, 842]).drawText(`Giay chung nhan - trang ${i + 1}`, { x: 60, y: 700, size: 14, font });
  }
  return doc.save({ useObjectStreams: opts.objectStreams ?? true });
}

/** Adds a page as a genuine incremental update, the way an editor would after signing. */
export async function appendPageIncrementally(pdf: Uint8Array): Promise<Buffer> {
  const base = Buffer.from(pdf);
  const prev = previousXref(base);
  if (!prev) throw new Error('no xref');
  const doc = await PDFDocument.load(base, { updateMetadata: false });
  doc.context.largestObjectNumber = Math.max(doc.context.largestObjectNumber, previousSize(base, prev.offset) - 1);
  const first = doc.context.largestObjectNumber + 1;
  doc.addPage([595, 842]).drawText('Trang chen them', { x: 60, y: 700, font: await doc.embedFont(StandardFonts.Helvetica) });
  await doc.flush();
  const pagesRef = doc.catalog.get(PDFName.of('Pages'));
  if (!(pagesRef instanceof PDFRef)) throw new Error('no pages ref');
  const objects = doc.context
    .enumerateIndirectObjects()
    .filter(([ref]) => ref.objectNumber >= first || ref.objectNumber === pagesRef.objectNumber)
    .map(([ref, obj]) => ({ objectNumber: ref.objectNumber, body: serializeObject(obj) }));
  const root = doc.context.trailerInfo.Root;
  if (!(root instanceof PDFRef)) throw new Error('no root');
  return appendUpdate(base, objects, prev, { root, id: doc.context.trailerInfo.ID }, doc.context.nextRef().objectNumber).bytes;
}

export function run(cmd: string, args: string[]): { out: string; code: number } {
  // Both streams: openssl reports success on stderr.
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  // A missing checker must fail the test by name, not look like a checker that printed nothing.
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); .ci/run installs it`);
  return { out: `${r.stdout ?? ''}${r.stderr ?? ''}`, code: r.status ?? 1 };
}

export function writeTemp(dir: string, name: string, data: Uint8Array | string): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}

/** NSS database trusting `caPem`, so pdfsig can report "Certificate is Trusted". */
export function nssDbTrusting(dir: string, caPem: string): string {
  const db = `sql:${dir}`;
  run('certutil', ['-N', '-d', db, '--empty-password']);
  run('certutil', ['-A', '-d', db, '-n', 'dev-ca', '-t', 'CT,C,C', '-i', caPem]);
  return dir;
}

/** The bytes a signature covers, for checking the CMS with openssl independently of our code. */
export function byteRangeContent(pdf: Buffer, br: [number, number, number, number]): Buffer {
  return Buffer.concat([pdf.subarray(br[0], br[0] + br[1]), pdf.subarray(br[2], br[2] + br[3])]);
}
