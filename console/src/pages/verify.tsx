// Verify: anyone with a key drops a PDF and reads what its signature says.
import { useState } from 'preact/hooks';
import { upload } from '../api';
import { tr } from '../i18n';
import type { Verification } from '../types';
import { ErrorNote } from '../ui';
import { VerificationBadge } from './document';

export function VerifyPage() {
  const [result, setResult] = useState<Verification | null>(null);
  const [name, setName] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [progress, setProgress] = useState(0);
  const [drag, setDrag] = useState(false);
  const send = async (file: File | undefined) => {
    if (!file) return;
    setName(file.name);
    setResult(null);
    setError(null);
    const form = new FormData();
    form.append('file', file, file.name);
    try {
      setResult(await upload<Verification>('/v1/verify', form, setProgress));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div class="page verify">
      <h1>{tr('Xác thực tệp PDF đã ký', 'Verify a signed PDF')}</h1>
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
          void send(e.dataTransfer?.files[0]);
        }}
      >
        <label for="verify-file">{tr('Kéo thả tệp PDF vào đây hoặc chọn tệp', 'Drop a PDF here or choose one')}</label>
        <input id="verify-file" type="file" accept="application/pdf,.pdf" onChange={(e) => void send(e.currentTarget.files?.[0])} />
      </div>
      {name && !result && !error ? <progress max={1} value={progress} aria-label={`${tr('Tải lên', 'Upload')} ${name}`} /> : null}
      <ErrorNote error={error} />
      {result ? <VerificationBadge v={result} /> : null}
    </div>
  );
}
