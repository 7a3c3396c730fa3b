// Review: the queue oldest first. Each item shows its page (zoom, rotate) beside the machine's type and
// fields with their confidence and the reasons it is here. Enter confirms; the next item opens itself.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { checkPersonalId } from '../../../services/identifiers';
import { api, blobUrl, get } from '../api';
import { currentLang, fieldLabel, formatDate, percent, tr } from '../i18n';
import type { ApiDocument } from '../types';
import { ErrorNote, Field, typeName, useBlobUrl, useSession } from '../ui';

const DATE_RE = /^(0[1-9]|[12]\d|3[01])\/(0[1-9]|1[0-2])\/\d{4}$/;

/** The same shape checks the server applies to what a reviewer types (ids, dates, gender). */
function fieldProblem(name: string, value: string): string | null {
  const v = value.trim();
  if (!v) return null;
  if (/IdNumber$|^idNumber$/.test(name)) {
    const c = checkPersonalId(v);
    return c.ok ? null : (c.problem?.[currentLang()] ?? null);
  }
  if (/Date$|^dateOfBirth$/.test(name) && !DATE_RE.test(v)) return tr('Ngày dạng dd/mm/yyyy', 'A date is dd/mm/yyyy');
  if (name === 'gender' && !['Nam', 'Nữ'].includes(v)) return tr('Nam hoặc Nữ', 'Nam or Nữ');
  return null;
}

/** The picture turned in quarter turns, in a box of the turned size so scrolling reaches all of it. */
function Turned({ url, alt, width, turn }: { url: string; alt: string; width: number; turn: number }) {
  const [ratio, setRatio] = useState(1.414);
  const height = Math.round(width * ratio);
  const sideways = turn % 180 !== 0;
  const box = sideways ? { width: `${height}px`, height: `${width}px` } : { width: `${width}px`, height: `${height}px` };
  // Turn about the image's centre, then move that centre to the box's centre.
  const transform = `translate(${(sideways ? height : width) / 2 - width / 2}px, ${(sideways ? width : height) / 2 - height / 2}px) rotate(${turn}deg)`;
  return (
    <div class="turned" style={box}>
      <img src={url} alt={alt} width={width} height={height} style={{ transform }} onLoad={(e) => setRatio(e.currentTarget.naturalHeight / e.currentTarget.naturalWidth || 1.414)} />
    </div>
  );
}

function PageView({ doc }: { doc: ApiDocument }) {
  const [page, setPage] = useState(1);
  const [zoom, setZoom] = useState(1);
  const [turn, setTurn] = useState(0);
  useEffect(() => {
    setPage(1);
    setZoom(1);
    setTurn(0);
  }, [doc.id]);
  const { url, error } = useBlobUrl(() => blobUrl(`/v1/documents/${doc.id}/pages/${page}`), [doc.id, page]);
  const pages = doc.pages ?? 1;
  return (
    <section class="viewer" aria-label={tr('Ảnh trang', 'Page picture')}>
      <div class="toolbar" role="toolbar" aria-label={tr('Xem trang', 'Page view')}>
        <button type="button" onClick={() => setZoom((z) => Math.min(4, z * 1.25))} aria-label={tr('Phóng to', 'Zoom in')}>+</button>
        <button type="button" onClick={() => setZoom((z) => Math.max(0.25, z / 1.25))} aria-label={tr('Thu nhỏ', 'Zoom out')}>-</button>
        <button type="button" onClick={() => setTurn((t) => (t + 90) % 360)} aria-label={tr('Xoay 90°', 'Rotate 90°')}>⟳</button>
        <span class="muted">{Math.round(zoom * 100)} %</span>
        {pages > 1 ? (
          <>
            <button type="button" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>{tr('Trang trước', 'Previous page')}</button>
            <span>{page}/{pages}</span>
            <button type="button" disabled={page >= pages} onClick={() => setPage((p) => p + 1)}>{tr('Trang sau', 'Next page')}</button>
          </>
        ) : null}
      </div>
      <ErrorNote error={error} />
      <div class="canvas" tabIndex={0} aria-label={tr('Ảnh trang, cuộn để xem', 'Page picture, scroll to see')}>
        {url ? (
          <Turned url={url} alt={`${tr('Trang', 'Page')} ${page} — ${doc.fileName}`} width={Math.round(560 * zoom)} turn={turn} />
        ) : (
          <p role="status">{tr('Đang tải ảnh…', 'Loading the picture…')}</p>
        )}
      </div>
    </section>
  );
}

function ReviewForm({ doc, onDone }: { doc: ApiDocument; onDone: () => void }) {
  const session = useSession();
  const [docType, setDocType] = useState(doc.docType ?? 'unknown');
  const [filter, setFilter] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    setDocType(doc.docType ?? 'unknown');
    setValues({});
    setFilter('');
    setError(null);
    confirmRef.current?.focus(); // Enter confirms at once
  }, [doc.id]);

  const def = session.docTypes.find((t) => t.slug === docType);
  const fieldNames = def ? def.fields : Object.keys(doc.fields ?? {});
  const checks = (doc.fieldChecks ?? {}) as Record<string, { confidence?: number; reason?: string | null } | undefined>;
  const options = useMemo(() => {
    const f = filter.trim().toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
    const all = [{ slug: 'unknown', name: tr('Ngoài danh mục', 'Outside the catalog') }, ...session.docTypes];
    if (!f) return all;
    return all.filter((t) => `${t.name} ${t.slug}`.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').includes(f));
  }, [filter, session.docTypes]);
  const valueOf = (n: string) => values[n] ?? doc.fields?.[n] ?? '';
  const problems = fieldNames.map((n) => fieldProblem(n, valueOf(n))).filter(Boolean);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || problems.length) return;
    setBusy(true);
    setError(null);
    const fields: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(values)) if (v !== (doc.fields?.[k] ?? '')) fields[k] = v.trim() === '' ? null : v;
    try {
      await api('POST', `/v1/documents/${doc.id}/review`, { docType, fields });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="review-form" onSubmit={submit} aria-labelledby="item-title">
      <h2 id="item-title">
        {doc.fileName} <span class="muted">· {doc.dossierCode}</span>
      </h2>
      <p class="muted">
        {tr('Máy đọc là', 'The machine read')} <strong>{typeName(session, doc.docType)}</strong> ({percent(doc.docTypeConfidence)}) · OCR {percent(doc.ocrConfidence)} · {formatDate(doc.createdAt)}
      </p>
      {doc.reviewReasons?.length ? (
        <div class="reasons">
          <h3>{tr('Lý do cần kiểm tra', 'Why it is in review')}</h3>
          <ul>
            {doc.reviewReasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <Field id="type-search" label={tr('Tìm loại giấy tờ', 'Search the document types')}>
        <input id="type-search" type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} autocomplete="off" />
      </Field>
      <Field id="doc-type" label={tr('Loại giấy tờ', 'Document type')}>
        <select
          id="doc-type"
          size={5}
          value={docType}
          onChange={(e) => setDocType(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void submit(e);
          }}
        >
          {options.some((o) => o.slug === docType) ? null : <option value={docType}>{typeName(session, docType)}</option>}
          {options.map((t) => (
            <option key={t.slug} value={t.slug}>
              {t.name}
            </option>
          ))}
        </select>
      </Field>
      {fieldNames.map((n) => {
        const c = checks[n];
        const problem = fieldProblem(n, valueOf(n));
        const low = c?.confidence !== undefined && c.confidence < 0.6;
        return (
          <Field key={n} id={`f-${n}`} label={fieldLabel(n)} error={problem} hint={c ? `${tr('Độ tin cậy', 'Confidence')} ${percent(c.confidence)}${c.reason ? ` · ${c.reason}` : ''}` : null}>
            <input
              id={`f-${n}`}
              name={n}
              value={valueOf(n)}
              class={low ? 'low' : undefined}
              aria-invalid={problem ? 'true' : undefined}
              aria-describedby={`f-${n}-msg`}
              onInput={(e) => {
                const v = e.currentTarget.value;
                setValues((x) => ({ ...x, [n]: v }));
              }}
            />
          </Field>
        );
      })}
      <div class="actions">
        <button type="submit" ref={confirmRef} disabled={busy || problems.length > 0}>
          {tr('Xác nhận (Enter)', 'Confirm (Enter)')}
        </button>
        <ErrorNote error={error} />
      </div>
    </form>
  );
}

export function ReviewPage() {
  const [items, setItems] = useState<ApiDocument[] | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirmed, setConfirmed] = useState(0);
  const load = async (after?: string) => {
    try {
      const r = await get<{ items: ApiDocument[] }>('/v1/review');
      const rest = r.items.filter((d) => d.id !== after);
      setItems(rest);
      setCurrent((c) => (c && c !== after && rest.some((d) => d.id === c) ? c : (rest[0]?.id ?? null)));
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => void load(), []);
  const doc = items?.find((d) => d.id === current) ?? null;
  return (
    <div class="page review">
      <h1>{tr('Kiểm tra tài liệu', 'Review')}</h1>
      <ErrorNote error={error} />
      <p role="status" aria-live="polite" class="muted">
        {items === null ? tr('Đang tải…', 'Loading…') : `${items.length} ${tr('tài liệu chờ kiểm tra', 'waiting')}${confirmed ? ` · ${confirmed} ${tr('đã xác nhận', 'confirmed')}` : ''}`}
      </p>
      {items && items.length === 0 ? <p>{tr('Không còn tài liệu nào chờ kiểm tra.', 'Nothing is waiting for review.')}</p> : null}
      {items && items.length > 0 ? (
        <div class="review-layout">
          <nav aria-label={tr('Hàng chờ', 'Queue')} class="queue">
            <ol>
              {items.map((d) => (
                <li key={d.id}>
                  <button type="button" class="link" aria-current={d.id === current ? 'true' : undefined} onClick={() => setCurrent(d.id)}>
                    {d.fileName}
                    <span class="muted"> · {formatDate(d.createdAt)}</span>
                  </button>
                </li>
              ))}
            </ol>
          </nav>
          {doc ? <PageView doc={doc} /> : null}
          {doc ? (
            <ReviewForm
              doc={doc}
              onDone={() => {
                setConfirmed((n) => n + 1);
                void load(doc.id);
              }}
            />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
