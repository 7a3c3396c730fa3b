// A dossier's papers with each one's stage, live (polling with back-off until every paper rests), its
// code, and the receipt the clerk prints for the citizen (print styles hide everything else).
import { useEffect, useState } from 'preact/hooks';
import { get, poll } from '../api';
import { apiMessage, formatDate, tr } from '../i18n';
import type { Dossier } from '../types';
import { ErrorNote, RESTING, Stage, typeName, unitName, useSession } from '../ui';

export function DossierPage({ code }: { code: string }) {
  const session = useSession();
  const [dossier, setDossier] = useState<Dossier | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setDossier(null);
    return poll(
      () => get<Dossier>(`/v1/dossiers/${encodeURIComponent(code)}`).catch((e: unknown) => {
        setError(e);
        throw e;
      }),
      (d) => {
        setError(null);
        setDossier(d);
      },
      (d) => d.documents.every((x) => RESTING.has(x.status)),
    );
  }, [code]);

  if (!dossier) return error ? <ErrorNote error={error} /> : <p role="status">{tr('Đang tải…', 'Loading…')}</p>;
  const received = dossier.documents.filter((d) => !d.reusedFrom);
  const reused = dossier.documents.filter((d) => d.reusedFrom);
  const settled = dossier.documents.every((d) => RESTING.has(d.status));
  return (
    <div class="page dossier">
      <h1>
        {tr('Hồ sơ', 'Dossier')} <span class="code">{dossier.dossierCode}</span>
      </h1>
      <dl class="facts no-print">
        <dt>{tr('Đơn vị', 'Unit')}</dt>
        <dd>{unitName(session, dossier.unitCode)}</dd>
        <dt>{tr('Thủ tục', 'Procedure')}</dt>
        <dd>{dossier.procedureCode}</dd>
        <dt>{tr('Người nộp', 'Applicant')}</dt>
        <dd>{dossier.applicantId}</dd>
        <dt>{tr('Tiếp nhận lúc', 'Received')}</dt>
        <dd>{formatDate(dossier.receivedAt)}</dd>
      </dl>
      <h2 class="no-print">{tr('Giấy tờ', 'Papers')}</h2>
      <p class="no-print muted" role="status" aria-live="polite">
        {settled ? tr('Mọi giấy tờ đã xử lý xong.', 'Every paper has been processed.') : tr('Đang xử lý, trang tự cập nhật…', 'Processing; this page updates itself…')}
      </p>
      <table class="no-print">
        <thead>
          <tr>
            <th scope="col">{tr('Tệp', 'File')}</th>
            <th scope="col">{tr('Giai đoạn', 'Stage')}</th>
            <th scope="col">{tr('Loại giấy tờ', 'Type')}</th>
            <th scope="col">{tr('Mã', 'Code')}</th>
          </tr>
        </thead>
        <tbody>
          {dossier.documents.map((d) => (
            <tr key={d.id} data-document={d.id}>
              <td>
                <a href={`#/documents/${d.id}`}>{d.fileName}</a>
                {d.reusedFrom ? <span class="tag">{tr('tái sử dụng', 'reused')}</span> : null}
              </td>
              <td>
                <Stage status={d.status} />
                {d.status === 'failed' && d.error ? <div class="error-text">{apiMessage(d.error.message)}</div> : null}
              </td>
              <td>{typeName(session, d.docType)}</td>
              <td class="code">{d.code ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="actions no-print">
        <button type="button" onClick={() => print()}>
          {tr('In phiếu tiếp nhận', 'Print the receipt')}
        </button>
        <a href="#/desk">{tr('Hồ sơ mới', 'New dossier')}</a>
      </div>
      <section class="receipt" aria-labelledby="receipt-title">
        <h2 id="receipt-title">{tr('Phiếu tiếp nhận hồ sơ', 'Dossier receipt')}</h2>
        <p>
          {tr('Mã hồ sơ', 'Dossier code')}: <strong class="code">{dossier.dossierCode}</strong>
        </p>
        <p>
          {unitName(session, dossier.unitCode)} · {tr('Thủ tục', 'Procedure')} {dossier.procedureCode} · {formatDate(dossier.receivedAt)}
        </p>
        <p>
          {tr('Người nộp', 'Applicant')}: {dossier.applicantId}
        </p>
        <h3>{tr('Giấy tờ đã nhận', 'Papers received')} ({received.length})</h3>
        <ol>
          {received.map((d) => (
            <li key={d.id}>
              {typeName(session, d.docType) !== '—' ? typeName(session, d.docType) : d.fileName}
              {d.code ? ` — ${d.code}` : ''}
            </li>
          ))}
        </ol>
        <h3>{tr('Giấy tờ tái sử dụng (không cần nộp lại)', 'Papers reused (not needed again)')} ({reused.length})</h3>
        <ol>
          {reused.map((d) => (
            <li key={d.id}>
              {typeName(session, d.docType)}
              {d.code ? ` — ${d.code}` : ''}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
