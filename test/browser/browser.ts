// Debian's chromium driven by playwright-core (no browser download): launch, sign in, screenshots
// checked to be non-blank, axe-core on each page, and CSP refusals collected as failures.
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import sharp from 'sharp';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/env.js';

export const ARTIFACTS = path.join(REPO_ROOT, 'test-results', 'console');
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);

export async function launch(): Promise<Browser> {
  const exe = CANDIDATES.find((p) => existsSync(p));
  if (!exe) throw new Error(`no chromium at ${CANDIDATES.join(', ')}: apt-get install chromium (the browser tests use Debian's, .ci/run installs it)`);
  await mkdir(ARTIFACTS, { recursive: true });
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: exe, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}

export interface Tab {
  page: Page;
  /** Content-Security-Policy refusals and uncaught errors seen so far. */
  problems: string[];
}

export async function openTab(browser: Browser, baseUrl: string): Promise<Tab> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'vi-VN' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.setDefaultTimeout(20_000);
  await page.goto(`${baseUrl}/console/`);
  return { page, problems };
}

export async function signIn(page: Page, key: string): Promise<void> {
  await page.getByLabel('Khóa truy cập (API key)').fill(key);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await page.getByRole('navigation', { name: 'Trang' }).waitFor();
}

/** Saves the page as test-results/console/<name>.png and fails when the picture is one flat colour. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  const stats = await sharp(file).stats();
  const spread = Math.max(...stats.channels.map((c) => c.stdev));
  if (spread < 8) throw new Error(`screenshot ${name} is blank (channel stdev ${spread.toFixed(1)})`);
  return file;
}

let axeSource: string | null = null;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/** Runs axe-core in the page (through the DevTools protocol, which the page's CSP does not govern). */
export async function axe(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const json = await page.evaluate(`(async () => {
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return JSON.stringify(r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })));
  })()`);
  return JSON.parse(json as string) as AxeViolation[];
}

export const serious = (v: AxeViolation[]): AxeViolation[] => v.filter((x) => x.impact === 'serious' || x.impact === 'critical');

/** Time to first contentful paint of the page now shown, in ms. */
export async function firstPaint(page: Page): Promise<number | null> {
  const v = await page.evaluate(`(performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime ?? null`);
  return typeof v === 'number' ? Math.round(v) : null;
}
