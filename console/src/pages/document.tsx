// A document: its signed PDF in the page, the verification badge, codes and fields, where it was
// reused, and reuse into another dossier.
import { useState } from 'preact/hooks';
import { api, blobUrl, documentById, get } from '../api';
import { apiMessage, fieldLabel, formatDate, percent, tr } from '../i18n';
import type { ApiDocument, Verification } from '../types';
import { can, ErrorNote, Field, Stage, typeName, unitName, useBlobUrl, useLoad, useSession } from '../ui';

export function VerificationBadge({ v }: { v: Verification }) {
  return (
    <section class={v.valid ? 'badge valid' : 'badge invalid'} aria-labelledby="badge-title" data-valid={String(v.valid)}>
      <h2 id="badge-title">{v.valid ? tr('✔ Chữ ký số hợp lệ', '✔ Valid signature') : tr('✘ Chữ ký số không hợp lệ', '✘ Signature not valid')}</h2>
      <dl class="facts">
        <dt>{tr('Người ký', 'Signer')}</dt>
        <dd>{v.signer ?? '—'}</dd>
        <dt>{tr('Thời điểm ký', 'Signed at')}</dt>
        <dd>{formatDate(v.signedAt)}</dd>
        <dt>{tr('Nguyên vẹn', 'Intact')}</dt>
        <dd>{v.intact ? tr('Có', 'Yes') : tr('Không', 'No')}</dd>
        <dt>{tr('Phủ toàn bộ tài liệu', 'Covers the whole document')}</dt>
        <dd>{v.coversWholeDocument ? tr('Có', 'Yes') : tr('Không', 'No')}</dd>
        <dt>{tr('Chuỗi chứng thư tin cậy', 'Trusted chain')}</dt>
        <dd>{v.chainTrusted ? tr('Có', 'Yes') : tr('Không', 'No')}</dd>
        <dt>{tr('Dấu thời gian', 'Timestamp')}</dt>
        <dd>{formatDate(v.timestamp)}</dd>
        {v.reason ? (
          <>
            <dt>{tr('Ghi chú', 'Note')}</dt>
            <dd>{apiMessage(v.reason)}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

function ReuseInto({ doc, done }: { doc: ApiDocument; done: () => void }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [ok, setOk] = useState<string | null>(null);
  return (
    <form
      class="inline"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        setOk(null);
        try {
          await api('POST', `/v1/dossiers/${encodeURIComponent(code.trim())}/reuse`, { documentId: doc.id });
          setOk(code.trim());
          done();
        } catch (err) {
          setError(err);
        }
      }}
    >
      <Field id="reuse-dossier" label={tr('Tái sử dụng vào hồ sơ (mã hồ sơ)', 'Reuse into dossier (dossier code)')}>
        <input id="reuse-dossier" value={code} onInput={(e) => setCode(e.currentTarget.value)} required autocomplete="off" />
      </Field>
      <button type="submit" disabled={!code.trim()}>
        {tr('Tái sử dụng', 'Reuse')}
      </button>
      {ok ? (
        <p role="status">
          {tr('Đã thêm vào hồ sơ', 'Added to dossier')} <a href={`#/dossiers/${encodeURIComponent(ok)}`}>{ok}</a>
        </p>
      ) : null}
      <ErrorNote error={error} />
    </form>
  );
}

export function DocumentPage({ id }: { id: string }) {
  const session = useSession();
  const { value: doc, error, reload } = useLoad(() => documentById(id), [id]);
  const signed = doc?.status === 'done' && !!doc.signedAt;
  const verification = useLoad(() => (signed ? get<Verification>(`/v1/documents/${id}/verification`) : Promise.resolve(null)), [id, signed]);
  const pdf = useBlobUrl(signed ? () => blobUrl(`/v1/documents/${id}/pdf`) : null, [id, signed]);
  if (error) return <ErrorNote error={error} />;
  if (!doc) return <p role="status">{tr('Đang tải…', 'Loading…')}</p>;
  return (
    <div class="page document">
      <h1>
        {typeName(session, doc.docType)} <span class="code">{doc.code ?? ''}</span>
      </h1>
      <div class="doc-layout">
        <div>
          <dl class="facts">
            <dt>{tr('Giai đoạn', 'Stage')}</dt>
            <dd>
              <Stage status={doc.status} />
              {doc.error ? <span class="error-text"> {apiMessage(doc.error.message)}</span> : null}
            </dd>
            <dt>{tr('Hồ sơ', 'Dossier')}</dt>
            <dd>
              <a href={`#/dossiers/${encodeURIComponent(doc.dossierCode)}`}>{doc.dossierCode}</a>
            </dd>
            <dt>{tr('Mã tài liệu', 'Document code')}</dt>
            <dd class="code">{doc.code ?? '—'}</dd>
            <dt>{tr('Tệp gốc', 'Original file')}</dt>
            <dd>{doc.fileName}</dd>
            <dt>{tr('Độ tin cậy OCR', 'OCR confidence')}</dt>
            <dd>{percent(doc.ocrConfidence)}</dd>
            {doc.validUntil ? (
              <>
                <dt>{tr('Hiệu lực đến', 'Valid until')}</dt>
                <dd>{formatDate(doc.validUntil)}</dd>
              </>
            ) : null}
            {doc.revoked ? (
              <>
                <dt>{tr('Thu hồi', 'Revoked')}</dt>
                <dd>{tr('Đã thu hồi', 'Revoked')}</dd>
              </>
            ) : null}
          </dl>
          {verification.value ? <VerificationBadge v={verification.value} /> : null}
          <ErrorNote error={verification.error} />
          <h2>{tr('Thông tin trích xuất', 'Extracted fields')}</h2>
          <table>
            <tbody>
              {Object.entries(doc.fields ?? {}).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{fieldLabel(k)}</th>
                  <td>{v}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>{tr('Đã tái sử dụng trong', 'Reused in')}</h2>
          {doc.reusedIn?.length ? (
            <ul>
              {doc.reusedIn.map((r) => (
                <li key={r.dossierCode}>
                  <a href={`#/dossiers/${encodeURIComponent(r.dossierCode)}`}>{r.dossierCode}</a> · {unitName(session, r.unitCode)} · {formatDate(r.at)}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{tr('Chưa được tái sử dụng.', 'Not reused yet.')}</p>
          )}
          {signed && can(session, 'reuse') ? <ReuseInto doc={doc} done={reload} /> : null}
        </div>
        <div class="pdf">
          {pdf.url ? <iframe src={pdf.url} title={tr('Bản PDF đã ký', 'The signed PDF')} /> : signed ? <p role="status">{tr('Đang tải PDF…', 'Loading the PDF…')}</p> : <p class="muted">{tr('Chưa có bản PDF đã ký.', 'No signed PDF yet.')}</p>}
          <ErrorNote error={pdf.error} />
          {pdf.url ? (
            <a href={pdf.url} download={`${doc.code ?? doc.id}.pdf`}>
              {tr('Tải PDF', 'Download the PDF')}
            </a>
          ) : null}
        </div>
      </div>
    </div>
  );
}
