// Inspects an uploaded PDF in a worker thread with a time budget, so parsing a large or hostile file
// never blocks the API's event loop (other uploads, lock renewals, health checks).
import { Piscina } from 'piscina';

export type PdfInspection =
  | { ok: true; pages: number; active: string | null; blank: boolean }
  | { ok: false; problem: 'unparseable' | 'encrypted' | 'page-tree' | 'timeout' };

let pool: Piscina | null = null;

function getPool(): Piscina {
  pool ??= new Piscina({
    filename: new URL('./pdf-inspect.worker.mjs', import.meta.url).href,
    minThreads: 0,
    maxThreads: 2,
    idleTimeout: 30_000,
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  });
  return pool;
}

/** Parses the PDF off the event loop; a file that takes longer than `budgetMs` counts as unreadable. */
export async function inspectPdf(bytes: Buffer, budgetMs = 20_000): Promise<PdfInspection> {
  try {
    return (await getPool().run(bytes, { signal: AbortSignal.timeout(budgetMs) })) as PdfInspection;
  } catch (err) {
    if ((err as Error).name === 'AbortError' || (err as Error).name === 'TimeoutError') return { ok: false, problem: 'timeout' };
    // A thread that ran out of memory on a hostile file: the file is the problem, not the service.
    return { ok: false, problem: 'unparseable' };
  }
}

export async function closePdfInspector(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.destroy();
}
