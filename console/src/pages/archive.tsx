// Archive search: words (with or without accents), person, type, unit and issue dates; snippets with the
// match highlighted; pages through the API's cursor. The filters live in the URL, so Back works.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get } from '../api';
import { formatDate, tr } from '../i18n';
import type { SearchReply } from '../types';
import { ErrorNote, Field, go, Stage, typeName, unitName, useSession } from '../ui';

const FILTERS = ['q', 'personId', 'docType', 'unitCode', 'issuedFrom', 'issuedTo'] as const;
type Filter = (typeof FILTERS)[number];
const PAGE = 20;

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();

/** Marks the searched words in a snippet: the API's own <mark> tags when it sends them, else the words. */
export function highlight(snippet: string, q: string): ComponentChildren {
  if (snippet.includes('<mark>')) {
    return snippet.split(/(<mark>.*?<\/mark>)/g).map((part, i) =>
      part.startsWith('<mark>') ? <mark key={i}>{part.slice(6, -7)}</mark> : part.replace(/<[^>]*>/g, ''),
    );
  }
  const words = fold(q).split(/\s+/).filter((w) => w.length > 1);
  if (!words.length) return snippet;
  // Folding keeps one letter per letter here (NFC in, marks dropped), so positions carry over.
  const nfc = snippet.normalize('NFC');
  const folded = [...nfc].map((c) => fold(c)).join('');
  if (folded.length !== nfc.length) return snippet;
  const out: ComponentChildren[] = [];
  let i = 0;
  const re = new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  for (const m of folded.matchAll(re)) {
    out.push(nfc.slice(i, m.index));
    out.push(<mark key={m.index}>{nfc.slice(m.index, m.index + m[0].length)}</mark>);
    i = m.index + m[0].length;
  }
  out.push(nfc.slice(i));
  return out;
}

export function ArchivePage({ params }: { params: URLSearchParams }) {
  const session = useSession();
  const initial = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? ''])) as Record<Filter, string>;
  const [form, setForm] = useState(initial);
  const [result, setResult] = useState<SearchReply | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const cursor = params.get('cursor') ?? '';
  const back = params.getAll('back');
  const key = params.toString();
  const active = FILTERS.some((f) => initial[f]);

  useEffect(() => {
    setForm(initial);
    if (!active) {
      setResult(null);
      return;
    }
    const q = new URLSearchParams();
    for (const f of FILTERS) if (initial[f]) q.set(f, initial[f]);
    q.set('limit', String(PAGE));
    if (cursor) q.set('cursor', cursor);
    let live = true;
    setBusy(true);
    setError(null);
    get<SearchReply>(`/v1/search?${q}`)
      .then((r) => live && setResult(r), (e: unknown) => live && setError(e))
      .finally(() => live && setBusy(false));
    return () => {
      live = false;
    };
  }, [key]);

  const navigate = (values: Record<Filter, string>, extra: [string, string][] = []) => {
    const q = new URLSearchParams();
    for (const f of FILTERS) if (values[f].trim()) q.set(f, values[f].trim());
    for (const [k, v] of extra) q.append(k, v);
    go(`#/archive?${q}`);
  };
  const set = (f: Filter) => (e: Event) => {
    const v = (e.currentTarget as HTMLInputElement).value;
    setForm((x) => ({ ...x, [f]: v }));
  };

  return (
    <div class="page archive">
      <h1>{tr('Tra cứu kho lưu trữ', 'Search the archive')}</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(form);
        }}
      >
        <Field id="q" label={tr('Từ khóa (có hoặc không dấu)', 'Words (with or without accents)')}>
          <input id="q" type="search" value={form.q} onInput={set('q')} />
        </Field>
        <Field id="personId" label={tr('Số định danh', 'Personal id')}>
          <input id="personId" inputMode="numeric" value={form.personId} onInput={set('personId')} />
        </Field>
        <Field id="docType" label={tr('Loại giấy tờ', 'Document type')}>
          <select id="docType" value={form.docType} onChange={set('docType')}>
            <option value="">{tr('Tất cả', 'All')}</option>
            {session.docTypes.map((t) => (
              <option key={t.slug} value={t.slug}>
                {t.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="unitCode" label={tr('Đơn vị', 'Unit')}>
          <select id="unitCode" value={form.unitCode} onChange={set('unitCode')}>
            <option value="">{tr('Tất cả', 'All')}</option>
            {session.units.map((u) => (
              <option key={u.code} value={u.code}>
                {u.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id="issuedFrom" label={tr('Ban hành từ ngày', 'Issued from')}>
          <input id="issuedFrom" type="date" value={form.issuedFrom} onInput={set('issuedFrom')} />
        </Field>
        <Field id="issuedTo" label={tr('Đến ngày', 'Issued to')}>
          <input id="issuedTo" type="date" value={form.issuedTo} onInput={set('issuedTo')} />
        </Field>
        <div class="actions">
          <button type="submit">{tr('Tìm', 'Search')}</button>
        </div>
      </form>
      <ErrorNote error={error} />
      {busy ? <p role="status">{tr('Đang tìm…', 'Searching…')}</p> : null}
      {result ? (
        <section aria-labelledby="results-title">
          <h2 id="results-title" role="status">
            {result.total} {tr('kết quả', 'results')}
          </h2>
          <ol class="results">
            {result.items.map((d) => (
              <li key={d.id} data-result={d.id}>
                <a href={`#/documents/${d.id}`} class="title">
                  {d.title ?? typeName(session, d.docType)}
                </a>
                <div class="muted">
                  <span class="code">{d.code ?? '—'}</span> · {typeName(session, d.docType)} · {unitName(session, d.unitCode)} · {formatDate(d.issueDate)} · <Stage status={d.status} />
                </div>
                {d.snippet ? <p class="snippet">{highlight(d.snippet, initial.q)}</p> : null}
              </li>
            ))}
          </ol>
          <nav class="pager" aria-label={tr('Trang kết quả', 'Result pages')}>
            <button type="button" disabled={!cursor} onClick={() => navigate(initial, [...back.slice(0, -1).map((b): [string, string] => ['back', b]), ...(back.length && back[back.length - 1] ? [['cursor', back[back.length - 1]!] as [string, string]] : [])])}>
              {tr('Trang trước', 'Previous')}
            </button>
            <button type="button" disabled={!result.nextCursor} onClick={() => navigate(initial, [...back.map((b): [string, string] => ['back', b]), ['back', cursor], ['cursor', result.nextCursor!]])}>
              {tr('Trang sau', 'Next')}
            </button>
          </nav>
        </section>
      ) : null}
    </div>
  );
}
