// Runs in a worker thread (services/pdf-inspect.ts): parses an uploaded PDF with pdf-lib, off the
// API's event loop, and reports its pages, whether it is encrypted, any active content an archive of
// records must not keep, and whether any page shows something (an image or text). Plain JavaScript so
// it runs without a TypeScript loader in the thread.
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, PDFStream, decodePDFRawStream } from 'pdf-lib';

// Actions PDF/A forbids, or that run or fetch something: never stored.
const ACTIVE_ACTIONS = new Set(['JavaScript', 'Launch', 'ImportData', 'ResetForm', 'SubmitForm', 'Sound', 'Movie', 'Rendition', 'RichMediaExecute', 'GoToR', 'GoToE', 'Hide', 'SetOCGState', 'Trans', 'GoTo3DView']);

const name = (v) => (v instanceof PDFName ? v.decodeText() : null);

function dictOf(obj) {
  if (obj instanceof PDFDict) return obj;
  if (obj instanceof PDFStream) return obj.dict;
  return null;
}

/** The first active-content finding in an object, in words, or null. */
function activeIn(dict, isCatalog) {
  const keys = dict.keys().map((k) => k.decodeText());
  if (keys.includes('JS')) return 'JavaScript';
  if (keys.includes('AA')) return 'automatic actions (AA)';
  if (keys.includes('XFA')) return 'an XFA form';
  if (keys.includes('EmbeddedFiles')) return 'embedded files';
  if (keys.includes('RichMediaContent') || keys.includes('RichMediaSettings')) return 'rich media';
  const type = name(dict.get(PDFName.of('Type')));
  const subtype = name(dict.get(PDFName.of('Subtype')));
  if (type === 'EmbeddedFile' || subtype === 'FileAttachment') return 'embedded files';
  if (subtype === 'RichMedia' || subtype === 'Screen' || subtype === 'Movie' || subtype === 'Sound') return `a ${subtype} annotation`;
  const s = name(dict.get(PDFName.of('S')));
  if (s && ACTIVE_ACTIONS.has(s)) return s === 'JavaScript' ? 'JavaScript' : `a ${s} action`;
  if (isCatalog && dict.has(PDFName.of('Names'))) {
    const names = dict.lookup(PDFName.of('Names'));
    if (names instanceof PDFDict && (names.has(PDFName.of('JavaScript')) || names.has(PDFName.of('EmbeddedFiles')))) return 'document-level JavaScript or embedded files';
  }
  return null;
}

/** activeIn() over an object and every direct dictionary or array inside it (references are visited on their own). */
function scan(obj, isCatalog, depth = 0) {
  if (depth > 32) return null;
  const d = dictOf(obj);
  if (d) {
    const found = activeIn(d, isCatalog);
    if (found) return found;
    for (const [, v] of d.entries()) {
      if (v instanceof PDFDict || v instanceof PDFArray) {
        const inner = scan(v, false, depth + 1);
        if (inner) return inner;
      }
    }
  } else if (obj instanceof PDFArray) {
    for (let i = 0; i < obj.size(); i++) {
      const v = obj.get(i);
      if (v instanceof PDFDict || v instanceof PDFArray) {
        const inner = scan(v, false, depth + 1);
        if (inner) return inner;
      }
    }
  }
  return null;
}

function decoded(stream) {
  try {
    if (stream instanceof PDFRawStream) return Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
    return Buffer.from(stream.getContents()).toString('latin1');
  } catch {
    return '';
  }
}

const TEXT_SHOW = /(\)|>|\])\s*(Tj|TJ|'|")/;
const INLINE_IMAGE = /\bBI\b[\s\S]*?\bID\b/;

/** Whether a content stream (with its resources) paints an image or shows text. */
function paints(context, contents, resources, depth) {
  const streams = [];
  const c = contents instanceof PDFRef ? context.lookup(contents) : contents;
  if (c instanceof PDFArray) for (let i = 0; i < c.size(); i++) streams.push(c.lookup(i));
  else if (c) streams.push(c);
  const text = streams.filter((x) => x instanceof PDFStream).map(decoded).join('\n');
  if (TEXT_SHOW.test(text) || INLINE_IMAGE.test(text)) return true;
  const res = resources instanceof PDFRef ? context.lookup(resources) : resources;
  const xobjects = res instanceof PDFDict ? res.lookup(PDFName.of('XObject')) : null;
  if (!(xobjects instanceof PDFDict)) return false;
  for (const key of xobjects.keys()) {
    const x = xobjects.lookup(key);
    if (!(x instanceof PDFStream)) continue;
    const subtype = name(x.dict.get(PDFName.of('Subtype')));
    if (subtype === 'Image') return true;
    if (subtype === 'Form' && depth < 4 && paints(context, x, x.dict.get(PDFName.of('Resources')), depth + 1)) return true;
  }
  return false;
}

export default async function inspect(bytes) {
  let doc;
  try {
    doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  } catch {
    return { ok: false, problem: 'unparseable' };
  }
  if (doc.isEncrypted) return { ok: false, problem: 'encrypted' };
  let pages;
  try {
    pages = doc.getPages();
  } catch {
    return { ok: false, problem: 'page-tree' };
  }
  const catalog = doc.catalog;
  for (const [, obj] of doc.context.enumerateIndirectObjects()) {
    const found = scan(obj, obj === catalog);
    if (found) return { ok: true, pages: pages.length, active: found, blank: false };
  }
  const top = activeIn(catalog, true);
  if (top) return { ok: true, pages: pages.length, active: top, blank: false };
  // An OpenAction that is not a plain "go to this page" runs something when the file opens.
  const open = catalog.lookup(PDFName.of('OpenAction'));
  if (open instanceof PDFDict) {
    const s = name(open.get(PDFName.of('S')));
    if (s !== 'GoTo') return { ok: true, pages: pages.length, active: `an OpenAction (${s ?? 'unknown'})`, blank: false };
  }
  let blank = true;
  for (const page of pages) {
    const node = page.node;
    if (paints(doc.context, node.get(PDFName.of('Contents')), node.Resources(), 0)) {
      blank = false;
      break;
    }
  }
  return { ok: true, pages: pages.length, active: null, blank };
}
