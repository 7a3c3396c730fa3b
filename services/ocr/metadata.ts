import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef } from 'pdf-lib';
import type { PdfMeta } from './types.js';

const PRODUCER = 'mot-cua-digitization OCR (tesseract, pdf-lib)';
/** Namespace of our own XMP properties. */
const NS = 'urn:mot-cua:metadata:1.0/';

function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

function subjectOf(meta: PdfMeta): string {
  return `Đơn vị ${meta.unitCode} · Hồ sơ ${meta.dossierCode} · Tài liệu ${meta.documentId}${meta.code ? ` · Mã ${meta.code}` : ''}`;
}

export function buildXmp(meta: PdfMeta, created: Date, modified: Date): string {
  const e = (s: string) => xmlEscape(s);
  const author = meta.author ?? meta.unitCode;
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:mc="${NS}">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">${e(meta.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>${e(author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">${e(subjectOf(meta))}</rdf:li></rdf:Alt></dc:description>
   <dc:identifier>${e(meta.documentId)}</dc:identifier>
   <xmp:CreateDate>${created.toISOString()}</xmp:CreateDate>
   <xmp:ModifyDate>${modified.toISOString()}</xmp:ModifyDate>
   <xmp:MetadataDate>${modified.toISOString()}</xmp:MetadataDate>
   <xmp:CreatorTool>${e(PRODUCER)}</xmp:CreatorTool>
   <pdf:Producer>${e(PRODUCER)}</pdf:Producer>
   <mc:UnitCode>${e(meta.unitCode)}</mc:UnitCode>
   <mc:DossierCode>${e(meta.dossierCode)}</mc:DossierCode>
   <mc:DocumentId>${e(meta.documentId)}</mc:DocumentId>
   <mc:DocumentCode>${e(meta.code ?? '')}</mc:DocumentCode>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>`;
}

/** Writes the Info dictionary and replaces the catalog's XMP stream. */
export function applyMetadata(doc: PDFDocument, meta: PdfMeta, now = new Date()): void {
  const created = doc.getCreationDate() ?? now;
  doc.setTitle(meta.title, { showInWindowTitleBar: true });
  doc.setAuthor(meta.author ?? meta.unitCode);
  doc.setSubject(subjectOf(meta));
  doc.setKeywords([meta.unitCode, meta.dossierCode, meta.documentId, ...(meta.code ? [meta.code] : [])]);
  doc.setProducer(PRODUCER);
  doc.setCreator(PRODUCER);
  doc.setCreationDate(created);
  doc.setModificationDate(now);
  doc.setLanguage('vi-VN');

  const info = doc.context.lookup(doc.context.trailerInfo.Info, PDFDict);
  const custom: Record<string, string | null | undefined> = {
    UnitCode: meta.unitCode,
    DossierCode: meta.dossierCode,
    DocumentId: meta.documentId,
    DocumentCode: meta.code,
  };
  for (const [k, v] of Object.entries(custom)) {
    if (v) info.set(PDFName.of(k), PDFHexString.fromText(v));
    else info.delete(PDFName.of(k));
  }

  const old = doc.catalog.get(PDFName.of('Metadata'));
  if (old instanceof PDFRef) doc.context.delete(old);
  const xmp = Buffer.from(buildXmp(meta, created, now), 'utf8');
  const stream = doc.context.stream(xmp, { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(stream));
}

/**
 * Rewrites Info and XMP of a built (unsigned) PDF, for the document code assigned later. Page
 * content streams are copied as they are, so this costs a parse and a write, no image work.
 * Calling it on a signed PDF would invalidate the signature.
 */
export async function setPdfMetadata(pdf: Uint8Array, meta: PdfMeta): Promise<Uint8Array> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  applyMetadata(doc, meta);
  return doc.save({ useObjectStreams: false });
}
