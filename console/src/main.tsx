// The console shell: sign-in with an API key, then the pages the key's role allows. Routes live in the
// URL hash (#/desk, #/dossiers/CODE, …) so the API serves one static page; the key never does.
import './styles.css';
import { render } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, get, getKey, me as loadMe, onUnauthorized, setKey, signOut } from './api';
import { currentLang, onLang, setLang, tr } from './i18n';
import { can, ErrorNote, SessionContext, type Session } from './ui';
import type { Action, DocType, Unit } from './types';
import { DeskPage } from './pages/desk';
import { DossierPage } from './pages/dossier';

// Pages a desk clerk does not need are loaded when first opened (the chart library stays off the desk).
const ReviewPage = lazy(() => import('./pages/review').then((m) => m.ReviewPage));
const ArchivePage = lazy(() => import('./pages/archive').then((m) => m.ArchivePage));
const DocumentPage = lazy(() => import('./pages/document').then((m) => m.DocumentPage));
const VerifyPage = lazy(() => import('./pages/verify').then((m) => m.VerifyPage));
const ProgressPage = lazy(() => import('./pages/progress').then((m) => m.ProgressPage));

interface NavItem {
  hash: string;
  vi: string;
  en: string;
  needs: Action;
}
const NAV: NavItem[] = [
  { hash: '#/desk', vi: 'Tiếp nhận', en: 'Desk', needs: 'dossier.write' },
  { hash: '#/review', vi: 'Kiểm tra', en: 'Review', needs: 'review' },
  { hash: '#/archive', vi: 'Kho lưu trữ', en: 'Archive', needs: 'search' },
  { hash: '#/verify', vi: 'Xác thực PDF', en: 'Verify a PDF', needs: 'document.read' },
  { hash: '#/progress', vi: 'Tiến độ', en: 'Progress', needs: 'progress' },
];

function useHash(): string {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const f = () => setHash(location.hash || '#/');
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return hash;
}

function SignIn({ onSignedIn, notice }: { onSignedIn: () => void; notice: string | null }) {
  const [key, setKeyValue] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setKey(key.trim());
    try {
      await loadMe();
      onSignedIn();
    } catch (err) {
      sessionStorage.removeItem('motcua.key');
      setError(err instanceof ApiError && err.status === 401 ? new Error(tr('Khóa truy cập không đúng hoặc đã bị thu hồi.', 'The key is wrong or revoked.')) : err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="signin">
      <h1>{tr('Đăng nhập', 'Sign in')}</h1>
      {notice ? <p class="notice" role="status">{notice}</p> : null}
      <form onSubmit={submit}>
        <div class="field">
          <label for="api-key">{tr('Khóa truy cập (API key)', 'API key')}</label>
          <input id="api-key" name="api-key" type="password" autocomplete="off" required value={key} onInput={(e) => setKeyValue(e.currentTarget.value)} />
          <p class="hint">{tr('Khóa chỉ được giữ trong thẻ trình duyệt này và mất khi đóng thẻ.', 'The key is kept in this browser tab only and is gone when it closes.')}</p>
        </div>
        <button type="submit" disabled={busy || !key.trim()}>
          {tr('Đăng nhập', 'Sign in')}
        </button>
        <ErrorNote error={error} />
      </form>
    </main>
  );
}

const NEEDS: Record<string, Action> = {
  desk: 'dossier.write',
  dossiers: 'document.read',
  review: 'review',
  archive: 'search',
  documents: 'document.read',
  verify: 'document.read',
  progress: 'progress',
};

function route(hash: string, session: Session) {
  const [path = '', query = ''] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  const needs = NEEDS[parts[0] ?? ''];
  // The API refuses anyway; the page says so before asking.
  if (needs && !can(session, needs)) {
    return (
      <div class="page">
        <h1>{tr('Không có quyền', 'Not allowed')}</h1>
        <p role="alert">{tr(`Vai trò ${session.me.role} không dùng được trang này.`, `The ${session.me.role} role cannot use this page.`)}</p>
      </div>
    );
  }
  switch (parts[0]) {
    case 'desk':
      return <DeskPage />;
    case 'dossiers':
      return parts[1] ? <DossierPage code={parts[1]} /> : null;
    case 'review':
      return <ReviewPage />;
    case 'archive':
      return <ArchivePage params={params} />;
    case 'documents':
      return parts[1] ? <DocumentPage id={parts[1]} /> : null;
    case 'verify':
      return <VerifyPage />;
    case 'progress':
      return <ProgressPage />;
    default: {
      const first = NAV.find((n) => can(session, n.needs));
      if (first) queueMicrotask(() => location.replace(first.hash));
      return null;
    }
  }
}

function App() {
  const hash = useHash();
  const [, setLangTick] = useState(0);
  const [session, setSession] = useState<Session | null>(null);
  const [loading, setLoading] = useState(getKey() !== null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => onLang(() => setLangTick((n) => n + 1)), []);
  useEffect(() => {
    onUnauthorized(() => {
      setSession(null);
      setNotice(tr('Phiên làm việc đã hết hoặc khóa không còn hiệu lực: hãy đăng nhập lại.', 'The session ended or the key is no longer valid: sign in again.'));
    });
  }, []);

  const start = async () => {
    setLoading(true);
    setError(null);
    try {
      const [me, units, types] = await Promise.all([loadMe(), get<{ items: Unit[] }>('/v1/units'), get<{ items: DocType[] }>('/v1/document-types')]);
      const visible = me.units === null ? units.items : units.items.filter((u) => me.units!.includes(u.code));
      setSession({ me, units: visible, docTypes: types.items });
      setNotice(null);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    if (getKey()) void start();
  }, []);

  const lang = currentLang();
  const header = (
    <header class="top">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        {tr('Bỏ qua tới nội dung', 'Skip to content')}
      </a>
      <span class="brand">{tr('Một cửa · Số hóa hồ sơ', 'One-stop shop · Digitization')}</span>
      {session ? (
        <nav aria-label={tr('Trang', 'Pages')}>
          <ul>
            {NAV.filter((n) => can(session, n.needs)).map((n) => (
              <li key={n.hash}>
                <a href={n.hash} aria-current={hash.startsWith(n.hash) ? 'page' : undefined}>
                  {tr(n.vi, n.en)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      <div class="tools">
        <button type="button" class="link" lang={lang === 'vi' ? 'en' : 'vi'} onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>
          {lang === 'vi' ? 'English' : 'Tiếng Việt'}
        </button>
        {session ? (
          <>
            <span class="who">
              {session.me.role} · {session.me.unitCode ?? tr('mọi đơn vị', 'all units')}
            </span>
            <button type="button" class="link" onClick={() => signOut()}>
              {tr('Đăng xuất', 'Sign out')}
            </button>
          </>
        ) : null}
      </div>
    </header>
  );

  if (!session) {
    return (
      <>
        {header}
        {loading ? (
          <main id="main" tabIndex={-1}>
            <p role="status">{tr('Đang tải…', 'Loading…')}</p>
          </main>
        ) : (
          <>
            <SignIn onSignedIn={() => void start()} notice={notice} />
            <ErrorNote error={error} />
          </>
        )}
      </>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      {header}
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<p role="status">{tr('Đang tải…', 'Loading…')}</p>}>{route(hash, session)}</Suspense>
      </main>
    </SessionContext.Provider>
  );
}

document.documentElement.lang = currentLang();
render(<App />, document.getElementById('app')!);
