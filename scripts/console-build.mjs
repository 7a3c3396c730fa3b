#!/usr/bin/env node
// Builds the browser console (console/ → dist/console) when it is missing or older than its sources,
// so `npm start` and the tests on a fresh clone need no extra step. Nothing generated is committed.
import { readdirSync, statSync, existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'console', 'index.html');
// The console shares the server's identifier rules and their data.
const sources = [path.join(root, 'console'), path.join(root, 'services', 'identifiers.ts'), path.join(root, 'schemas', 'provinces.json'), path.join(root, 'package-lock.json')];

function newest(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

export async function ensureConsoleBuilt({ quiet = false } = {}) {
  const built = existsSync(out) ? statSync(out).mtimeMs : 0;
  const src = Math.max(...sources.filter(existsSync).map(newest));
  if (built >= src) return false;
  let vite;
  try {
    vite = await import('vite');
  } catch {
    if (built) return false; // a production install without dev tools keeps the console it was built with
    throw new Error('the console is not built and vite is not installed: run npm ci, then npm run build:console');
  }
  // Built beside the served folder and swapped in, so test files starting together (each may build)
  // never serve or delete each other's half-written output.
  const target = path.dirname(out);
  const tmp = `${target}.build-${process.pid}-${Date.now()}`;
  try {
    await vite.build({ configFile: path.join(root, 'console', 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info', build: { outDir: tmp, emptyOutDir: true } });
    try {
      rmSync(target, { recursive: true, force: true });
      renameSync(tmp, target);
    } catch (err) {
      if (!existsSync(out)) throw err; // another build swapped in first: its output is the same
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureConsoleBuilt().catch((err) => {
    console.error(`console build failed: ${err.message}`);
    process.exit(1);
  });
}
