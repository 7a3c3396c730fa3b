// Small shared pieces: the session (key, role, units, catalog), labelled fields, stage badges, errors.
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { apiMessage, tr } from './i18n';
import type { Action, DocType, Me, Status, Unit } from './types';

export interface Session {
  me: Me;
  units: Unit[];
  docTypes: DocType[];
}
export const SessionContext = createContext<Session | null>(null);
export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('no session');
  return s;
}
export const can = (s: Session, a: Action): boolean => s.me.actions.includes(a);

export function typeName(s: Session, slug: string | null | undefined): string {
  if (!slug) return '—';
  if (slug === 'unknown') return tr('Ngoài danh mục', 'Outside the catalog');
  return s.docTypes.find((t) => t.slug === slug)?.name ?? slug;
}

export function unitName(s: Session, code: string): string {
  return s.units.find((u) => u.code === code)?.name ?? code;
}

/** The pipeline's statuses in the words of the desk. */
export function stageLabel(status: Status): string {
  switch (status) {
    case 'received':
    case 'queued':
      return tr('Đã nhận', 'Received');
    case 'processing':
      return tr('Đang đọc', 'Reading');
    case 'ocr_done':
      return tr('Đang cấp mã', 'Coding');
    case 'coded':
      return tr('Đang ký số', 'Signing');
    case 'review':
      return tr('Chờ kiểm tra', 'In review');
    case 'done':
      return tr('Hoàn tất', 'Done');
    case 'failed':
      return tr('Lỗi', 'Failed');
  }
}
export const RESTING: ReadonlySet<Status> = new Set(['done', 'review', 'failed']);

export function Stage({ status }: { status: Status }) {
  return (
    <span class={`stage stage-${status}`} data-status={status}>
      {stageLabel(status)}
    </span>
  );
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof ApiError ? apiMessage(error.message) : error instanceof Error ? error.message : String(error);
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

export function Field(props: { id: string; label: string; hint?: string | null; error?: string | null; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.error ? (
        <p class="field-error" id={`${props.id}-msg`} role="status">
          {props.error}
        </p>
      ) : props.hint ? (
        <p class="hint" id={`${props.id}-msg`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

/** Loads once per dependency change; the state carries value, error and a reload. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { value: T | null; error: unknown; reload: () => void } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    load().then(
      (v) => live && setValue(v),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, n]);
  return { value, error, reload: () => setN((x) => x + 1) };
}

/** A blob: URL for a guarded binary, revoked when the page leaves. */
export function useBlobUrl(load: (() => Promise<string>) | null, deps: unknown[]): { url: string | null; error: unknown } {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!load) return;
    let live = true;
    let made: string | null = null;
    setUrl(null);
    setError(null);
    load().then(
      (u) => {
        made = u;
        if (live) setUrl(u);
        else URL.revokeObjectURL(u);
      },
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, deps);
  return { url, error };
}

export const go = (hash: string): void => {
  location.hash = hash;
};
