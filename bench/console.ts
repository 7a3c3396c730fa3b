// Console benchmark: first contentful paint and time until each page's heading shows, cold (new browser
// context, empty cache) and warm (reload), in Debian's chromium against a local API; and the JavaScript
// the desk page loads, gzipped. Writes bench/results/console.json.
//   npm run bench:console [-- --runs 5]
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureConsoleBuilt } from '../scripts/console-build.mjs';
import { startApp } from '../services/app.js';
import { ADMIN_KEY, REPO_ROOT, makeTestEnv } from '../test/helpers/env.js';
import { Client } from '../test/helpers/http.js';
import { launch } from '../test/browser/browser.js';

const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 5;
const UNIT = '000.03.21.H54';
const PAGES: [string, string, string | null][] = [
  ['signin', '', null],
  ['desk', '#/desk', 'desk'],
  ['review', '#/review', 'archive'],
  ['archive', '#/archive', 'archive'],
  ['verify', '#/verify', 'desk'],
  ['progress', '#/progress', 'leader'],
];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main() {
  await ensureConsoleBuilt({ quiet: true });
  const env = await makeTestEnv({ LOG_LEVEL: 'warn' });
  const app = await startApp(env.config, 'api');
  const browser = await launch();
  try {
    const admin = new Client(app.url!, ADMIN_KEY);
    const keys: Record<string, string> = {};
    for (const role of ['desk', 'archive', 'leader']) keys[role] = (await admin.json('POST', '/v1/api-keys', { role, unitCode: UNIT })).body.key;
    const pages: Record<string, unknown> = {};
    let deskScripts: string[] = [];
    for (const [name, hash, role] of PAGES) {
      const cold: { fcp: number; ready: number }[] = [];
      const warm: { fcp: number; ready: number }[] = [];
      for (let i = 0; i < runs; i++) {
        const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
        // The key as sign-in leaves it (sessionStorage), set through the DevTools protocol.
        if (role) await context.addInitScript(`sessionStorage.setItem('motcua.key', ${JSON.stringify(keys[role])})`);
        const page = await context.newPage();
        const scripts: string[] = [];
        page.on('response', (r) => r.url().endsWith('.js') && scripts.push(new URL(r.url()).pathname));
        const measure = async () => {
          // Checked in the page on every animation frame, so the time is when the heading appeared.
          // (A function, not a string: the page's CSP forbids eval.)
          const handle = await page.waitForFunction(
            () => {
              const g = globalThis as unknown as { document: { querySelector(s: string): unknown }; performance: { now(): number; getEntriesByName(n: string): { startTime: number }[] } };
              if (!g.document.querySelector('main h1')) return null;
              return { fcp: g.performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN, ready: g.performance.now() };
            },
            undefined,
            { polling: 'raf' },
          );
          const v = (await handle.jsonValue()) as { fcp: number; ready: number };
          return { fcp: Math.round(v.fcp), ready: Math.round(v.ready) };
        };
        await page.goto(`${app.url}/console/${hash}`);
        cold.push(await measure());
        await page.reload();
        warm.push(await measure());
        if (name === 'desk' && i === 0) deskScripts = [...new Set(scripts)];
        await context.close();
      }
      pages[name] = {
        coldFcpMs: median(cold.map((x) => x.fcp)),
        coldHeadingMs: median(cold.map((x) => x.ready)),
        warmFcpMs: median(warm.map((x) => x.fcp)),
        warmHeadingMs: median(warm.map((x) => x.ready)),
      };
      console.log(name, pages[name]);
    }
    let deskGzip = 0;
    for (const p of deskScripts) deskGzip += gzipSync(await readFile(path.join(REPO_ROOT, 'dist', p))).length;
    const result = {
      at: new Date().toISOString(),
      runs,
      machine: 'local API (api mode, no workers), chromium headless, 1366x768',
      // The machine is shared: the load average says how busy it was while measuring.
      loadAverage: os.loadavg().map((x) => Math.round(x * 10) / 10),
      cores: os.cpus().length,
      goal: { firstPaintMs: 1000, deskJsGzipBytes: 150 * 1024 },
      pages,
      desk: { scripts: deskScripts, jsGzipBytes: deskGzip },
    };
    await mkdir(path.join(REPO_ROOT, 'bench', 'results'), { recursive: true });
    await writeFile(path.join(REPO_ROOT, 'bench', 'results', 'console.json'), JSON.stringify(result, null, 1) + '\n');
    console.log(`desk page JavaScript: ${(deskGzip / 1024).toFixed(1)} KB gzipped (${deskScripts.join(', ')})`);
  } finally {
    await browser.close();
    await app.stop();
    await env.cleanup();
  }
}

await main();
