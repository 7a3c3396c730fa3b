// Desk: receive a dossier. The applicant id is checked as it is typed with the server's own rules
// (services/identifiers.ts); once it is valid, the papers already held for that person are offered for
// reuse; scans are uploaded one request per file so each has its own progress bar.
import { useEffect, useRef, useState } from 'preact/hooks';
import { checkApplicantId, canonicalId } from '../../../services/identifiers';
import { PROCEDURE_CODE_PATTERN } from '../../../schemas/codes';
import { api, ApiError, get, upload } from '../api';
import { apiMessage, currentLang, formatDate, tr } from '../i18n';
import type { IntakeReply, PersonDocument } from '../types';
import { can, ErrorNote, Field, go, typeName, unitName, useSession } from '../ui';

const PROCEDURE_RE = new RegExp(PROCEDURE_CODE_PATTERN);
const CHANNELS = [
  { value: 'desk', vi: 'Trực tiếp tại quầy', en: 'At the desk' },
  { value: 'postal', vi: 'Bưu chính công ích', en: 'Postal' },
  { value: 'online', vi: 'Trực tuyến', en: 'Online' },
  { value: 'backlog', vi: 'Số hóa hồ sơ tồn', en: 'Backlog' },
];

interface Pending {
  file: File;
  progress: number;
  state: 'waiting' | 'sending' | 'sent' | 'failed';
  error?: string;
}

function HeldPapers(props: { personId: string; chosen: Set<string>; toggle: (id: string) => void }) {
  const session = useSession();
  const [items, setItems] = useState<PersonDocument[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    setItems(null);
    setError(null);
    get<{ items: PersonDocument[] }>(`/v1/people/${encodeURIComponent(props.personId)}/documents`).then(
      (r) => live && setItems(r.items),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [props.personId]);
  return (
    <section class="held" aria-labelledby="held-title" aria-live="polite">
      <h2 id="held-title">{tr('Giấy tờ đã có của người này', 'Papers already held for this person')}</h2>
      <ErrorNote error={error} />
      {items === null && !error ? <p role="status">{tr('Đang tìm…', 'Looking…')}</p> : null}
      {items && items.length === 0 ? <p>{tr('Chưa có giấy tờ nào.', 'None yet.')}</p> : null}
      {items && items.length > 0 ? (
        <ul class="cards">
          {items.map((d) => {
            const on = props.chosen.has(d.id);
            return (
              <li key={d.id} class={on ? 'card chosen' : 'card'}>
                <div>
                  <strong>{d.title ?? typeName(session, d.docType)}</strong>
                  <div class="muted">
                    {d.code ?? '—'} · {unitName(session, d.unitCode)} · {formatDate(d.issueDate)}
                  </div>
                  {!d.reusable && d.notReusableReason ? <div class="muted">{apiMessage(d.notReusableReason)}</div> : null}
                </div>
                <button type="button" aria-pressed={on} disabled={!d.reusable || !can(session, 'reuse')} onClick={() => props.toggle(d.id)} data-reuse={d.id}>
                  {on ? tr('Sẽ tái sử dụng ✓', 'Will be reused ✓') : tr('Tái sử dụng', 'Reuse')}
                </button>
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}

export function DeskPage() {
  const session = useSession();
  const openUnits = session.units.filter((u) => !u.validTo);
  const [unitCode, setUnitCode] = useState(session.me.unitCode && openUnits.some((u) => u.code === session.me.unitCode) ? session.me.unitCode : (openUnits[0]?.code ?? ''));
  const [procedureCode, setProcedureCode] = useState('');
  const [channel, setChannel] = useState('desk');
  const [applicantId, setApplicantId] = useState('');
  const [files, setFiles] = useState<Pending[]>([]);
  const [reuse, setReuse] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [drag, setDrag] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const idCheck = applicantId.trim() ? checkApplicantId(applicantId) : null;
  const idProblem = idCheck && !idCheck.ok && idCheck.problem ? idCheck.problem[currentLang()] : null;
  const personId = idCheck?.ok ? canonicalId(applicantId) : null;
  const procedureProblem = procedureCode && !PROCEDURE_RE.test(procedureCode.trim()) ? tr('Mã thủ tục dạng 1.001193 (mã TTHC)', 'A procedure code looks like 1.001193') : null;
  const ready = !!unitCode && !!personId && !procedureProblem && !!procedureCode.trim() && (files.length > 0 || reuse.size > 0);

  const addFiles = (list: FileList | null) => {
    if (!list) return;
    setFiles((f) => [...f, ...Array.from(list).map((file): Pending => ({ file, progress: 0, state: 'waiting' }))]);
  };
  const setOne = (i: number, patch: Partial<Pending>) => setFiles((f) => f.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const toggle = (id: string) =>
    setReuse((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!ready || busy) return;
    setBusy(true);
    setError(null);
    const fields = { unitCode, procedureCode: procedureCode.trim(), applicantId: personId!, channel };
    let code: string | null = null;
    try {
      if (files.length === 0) {
        code = (await api<IntakeReply>('POST', '/v1/dossiers', fields, { 'idempotency-key': crypto.randomUUID() })).dossierCode;
      }
      for (let i = 0; i < files.length; i++) {
        const p = files[i]!;
        if (p.state === 'sent') continue;
        const form = new FormData();
        if (code === null) for (const [k, v] of Object.entries(fields)) form.append(k, v);
        form.append('file', p.file, p.file.name);
        setOne(i, { state: 'sending', progress: 0, error: undefined });
        try {
          const url = code === null ? '/v1/dossiers' : `/v1/dossiers/${encodeURIComponent(code)}/documents`;
          const r = await upload<IntakeReply>(url, form, (x) => setOne(i, { progress: x }));
          code = r.dossierCode;
          setOne(i, { state: 'sent', progress: 1 });
        } catch (err) {
          setOne(i, { state: 'failed', error: err instanceof ApiError ? apiMessage(err.message) : String(err) });
          if (code === null) throw err; // no dossier yet: nothing more can be added
        }
      }
      const failures: string[] = [];
      for (const documentId of reuse) {
        try {
          await api('POST', `/v1/dossiers/${encodeURIComponent(code!)}/reuse`, { documentId });
        } catch (err) {
          failures.push(err instanceof ApiError ? apiMessage(err.message) : String(err));
        }
      }
      if (failures.length) throw new Error(`${tr('Hồ sơ', 'Dossier')} ${code}: ${failures.join('; ')}`);
      if (files.every((f) => f.state !== 'failed')) go(`#/dossiers/${encodeURIComponent(code!)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page desk">
      <h1>{tr('Tiếp nhận hồ sơ', 'Receive a dossier')}</h1>
      <form onSubmit={submit} class="grid2" aria-describedby="desk-help">
        <p id="desk-help" class="hint span2">
          {tr('Điền thông tin hồ sơ, chọn tệp quét hoặc giấy tờ đã có, rồi bấm Tiếp nhận.', 'Fill in the dossier, add scans or papers already held, then press Receive.')}
        </p>
        <Field id="unit" label={tr('Đơn vị tiếp nhận', 'Receiving unit')}>
          <select id="unit" name="unitCode" value={unitCode} onChange={(e) => setUnitCode(e.currentTarget.value)} required>
            {openUnits.map((u) => (
              <option key={u.code} value={u.code}>
                {u.name} ({u.code})
              </option>
            ))}
          </select>
        </Field>
        <Field id="procedure" label={tr('Mã thủ tục hành chính', 'Procedure code')} error={procedureProblem} hint={tr('Ví dụ 1.001193', 'e.g. 1.001193')}>
          <input
            id="procedure"
            name="procedureCode"
            required
            inputMode="decimal"
            value={procedureCode}
            aria-invalid={procedureProblem ? 'true' : undefined}
            aria-describedby="procedure-msg"
            onInput={(e) => setProcedureCode(e.currentTarget.value)}
          />
        </Field>
        <Field id="channel" label={tr('Kênh tiếp nhận', 'Channel')}>
          <select id="channel" name="channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
            {CHANNELS.map((c) => (
              <option key={c.value} value={c.value}>
                {tr(c.vi, c.en)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          id="applicant"
          label={tr('Số định danh cá nhân / mã số thuế người nộp', "Applicant's personal id / tax code")}
          error={idProblem}
          hint={personId ? tr('Hợp lệ ✓', 'Valid ✓') : tr('12 chữ số, hoặc mã số thuế 10 (13) chữ số', '12 digits, or a 10 (13)-digit tax code')}
        >
          <input
            id="applicant"
            name="applicantId"
            required
            inputMode="numeric"
            autocomplete="off"
            value={applicantId}
            aria-invalid={idProblem ? 'true' : undefined}
            aria-describedby="applicant-msg"
            onInput={(e) => setApplicantId(e.currentTarget.value)}
          />
        </Field>
        {personId && can(session, 'search') ? (
          <div class="span2">
            <HeldPapers personId={personId} chosen={reuse} toggle={toggle} />
          </div>
        ) : null}
        <div class="span2">
          <div
            class={drag ? 'drop over' : 'drop'}
            onDragOver={(e) => {
              e.preventDefault();
              setDrag(true);
            }}
            onDragLeave={() => setDrag(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDrag(false);
              addFiles(e.dataTransfer?.files ?? null);
            }}
          >
            <label for="files">{tr('Tệp quét (JPEG, PNG, TIFF, PDF): kéo thả vào đây hoặc chọn', 'Scans (JPEG, PNG, TIFF, PDF): drop them here or choose')}</label>
            <input
              id="files"
              ref={fileInput}
              type="file"
              multiple
              accept="image/jpeg,image/png,image/tiff,application/pdf,.tif,.tiff"
              onChange={(e) => {
                addFiles(e.currentTarget.files);
                e.currentTarget.value = '';
              }}
            />
          </div>
          {files.length ? (
            <ul class="files" aria-label={tr('Tệp đã chọn', 'Chosen files')}>
              {files.map((p, i) => (
                <li key={`${p.file.name}-${i}`}>
                  <span class="fname">{p.file.name}</span>
                  <progress max={1} value={p.progress} aria-label={`${tr('Tải lên', 'Upload')} ${p.file.name}`} />
                  <span class="muted">
                    {p.state === 'waiting' ? tr('Chờ gửi', 'Waiting') : p.state === 'sending' ? `${Math.round(p.progress * 100)} %` : p.state === 'sent' ? tr('Đã gửi', 'Sent') : p.error}
                  </span>
                  {p.state !== 'sent' && !busy ? (
                    <button type="button" class="link" onClick={() => setFiles((f) => f.filter((_, j) => j !== i))} aria-label={`${tr('Bỏ', 'Remove')} ${p.file.name}`}>
                      {tr('Bỏ', 'Remove')}
                    </button>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
        <div class="span2 actions">
          <button type="submit" disabled={!ready || busy}>
            {busy ? tr('Đang gửi…', 'Sending…') : tr('Tiếp nhận', 'Receive')}
          </button>
          <ErrorNote error={error} />
        </div>
      </form>
    </div>
  );
}
