// The staff console in a real browser, as a new clerk, reviewer and leader would use it: sign in,
// receive a dossier with a shipped scan through the desk page and watch it reach "done", find it in
// the archive by the name typed without accents, open its signed PDF and see the valid badge, reuse it
// into a second dossier from the desk page, confirm a review item with the keyboard alone, and see
// the progress chart. Each page is screenshotted (test-results/console/) and checked with axe-core.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt } from '../../scripts/console-build.mjs';
import { startApp, type RunningApp } from '../../services/app.js';
import { ADMIN_KEY, DEV_CORPUS, makeTestEnv, type TestEnv } from '../helpers/env.js';
import { Client, corpusFile, waitFor } from '../helpers/http.js';
import { ARTIFACTS, axe, firstPaint, launch, openTab, screenshot, serious, signIn, type Tab } from './browser.js';

const UNIT = '000.03.21.H54';
const SCAN = 'giay-khai-sinh-03.jpg'; // Hoàng Mạnh Hải, 034216461132
const PERSON = '034216461132';
const NAME_WITHOUT_ACCENTS = 'hoang manh hai';

let env: TestEnv;
let app: RunningApp;
let browser: Browser;
let admin: Client;
const keys: Record<string, string> = {};
const tabs: Tab[] = [];
const paints: Record<string, number | null> = {};
let reviewDocId: Promise<string>;
let doneDocId: string | null = null;

async function tab(role: string): Promise<Page> {
  const t = await openTab(browser, app.url!);
  tabs.push(t);
  await signIn(t.page, keys[role]!);
  return t.page;
}

async function check(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const violations = await axe(page);
  await writeFile(path.join(ARTIFACTS, `${name}.axe.json`), JSON.stringify(violations, null, 1));
  expect(serious(violations), `${name}: ${JSON.stringify(serious(violations))}`).toEqual([]);
}

beforeAll(async () => {
  await ensureConsoleBuilt({ quiet: true });
  env = await makeTestEnv();
  app = await startApp(env.config, 'all');
  admin = new Client(app.url!, ADMIN_KEY);
  for (const role of ['desk', 'archive', 'leader']) {
    const r = await admin.json<{ key: string }>('POST', '/v1/api-keys', { role, unitCode: UNIT });
    keys[role] = r.body.key;
  }
  // A paper outside the catalog goes to review; it is read while the desk part of the test runs.
  const desk = admin.withKey(keys.desk!);
  reviewDocId = desk
    .upload('/v1/dossiers', { unitCode: UNIT, procedureCode: '1.001193', applicantId: '034198811842', channel: 'postal' }, [await corpusFile(DEV_CORPUS, 'unknown-giay-moi-01.jpg')])
    .then((r) => r.body.documents[0].id as string);
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await writeFile(path.join(ARTIFACTS, 'first-paint.json'), JSON.stringify(paints, null, 1)).catch(() => undefined);
  for (const t of tabs) await t.page.context().close().catch(() => undefined);
  await browser?.close();
  await app?.stop();
  await env?.cleanup();
});

describe('the console in chromium', () => {
  it('is served with a CSP that allows no inline script, and caching headers', async () => {
    const page = await fetch(`${app.url}/console/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${app.url}${asset}`);
    expect(js.headers.get('cache-control')).toContain('immutable');
  });

  it('a wrong key stays on sign-in; a desk key receives a dossier and watches its paper reach done', async () => {
    const t = await openTab(browser, app.url!);
    tabs.push(t);
    const { page } = t;
    paints.signin = await firstPaint(page);
    await check(page, '01-signin');
    await page.getByLabel('Khóa truy cập (API key)').fill('mck_wrong');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('alert').waitFor();
    await signIn(page, keys.desk!);
    await page.getByRole('heading', { name: 'Tiếp nhận hồ sơ' }).waitFor();
    paints.desk = await firstPaint(page);

    const id = page.getByLabel('Số định danh cá nhân / mã số thuế người nộp');
    await id.fill('0342164611'); // ten digits: read as a tax code, whose check digit is wrong
    await expect(page.locator('#applicant-msg').textContent()).resolves.toMatch(/mã số thuế/);
    expect(await id.getAttribute('aria-invalid')).toBe('true');
    await id.fill(PERSON);
    await expect(page.locator('#applicant-msg').textContent()).resolves.toMatch(/Hợp lệ/);
    await page.getByLabel('Mã thủ tục hành chính').fill('1.001193');
    await page.locator('#files').setInputFiles(path.join(DEV_CORPUS, SCAN));
    await page.getByText(SCAN).waitFor();
    await check(page, '02-desk');
    await page.getByRole('button', { name: 'Tiếp nhận' }).click();

    await page.waitForURL(/#\/dossiers\//);
    const row = page.locator('tr[data-document]');
    await row.waitFor();
    await row.locator('[data-status="done"]').waitFor({ timeout: 240_000 });
    doneDocId = await row.getAttribute('data-document');
    expect(await row.locator('.code').textContent()).toMatch(/\S{8,}/);
    expect(await page.locator('.receipt').textContent()).toContain(SCAN.startsWith('giay-khai-sinh') ? 'Giấy khai sinh' : '');
    await check(page, '03-dossier');
    expect(t.problems).toEqual([]);
  }, 300_000);

  it('finds the paper in the archive by the name typed without accents, with the valid badge on its PDF', async () => {
    const page = await tab('desk');
    await page.goto(`${app.url}/console/#/archive`);
    await page.getByLabel('Từ khóa (có hoặc không dấu)').fill(NAME_WITHOUT_ACCENTS);
    await page.keyboard.press('Enter');
    const hit = page.locator(`[data-result="${doneDocId}"]`);
    await hit.waitFor();
    expect(await hit.locator('mark').count()).toBeGreaterThan(0);
    await check(page, '04-archive');
    await hit.getByRole('link').first().click();
    await page.locator('.badge[data-valid="true"]').waitFor();
    await page.locator('.pdf iframe').waitFor();
    expect(await page.locator('.pdf iframe').getAttribute('src')).toMatch(/^blob:/);
    await check(page, '04b-archive-document');
  }, 120_000);

  it('shows the signed PDF in the document page, and verifies a dropped PDF', async () => {
    const page = await tab('desk');
    await page.goto(`${app.url}/console/#/documents/${doneDocId}`);
    await page.locator('.badge[data-valid="true"]').waitFor();
    await page.locator('.pdf iframe').waitFor();
    expect(await page.locator('.pdf iframe').getAttribute('src')).toMatch(/^blob:/);
    await check(page, '05-document');
    const pdf = await admin.withKey(keys.desk!).raw(`/v1/documents/${doneDocId}/pdf`);
    expect(pdf.status).toBe(200);
    await page.goto(`${app.url}/console/#/verify`);
    await page.getByLabel('Kéo thả tệp PDF vào đây hoặc chọn tệp').setInputFiles({ name: 'ket-qua.pdf', mimeType: 'application/pdf', buffer: pdf.bytes });
    await page.locator('.badge[data-valid="true"]').waitFor();
    await check(page, '06-verify');
  }, 60_000);

  it('reuses the paper into a second dossier from the desk page, without scanning it again', async () => {
    const page = await tab('desk');
    await page.goto(`${app.url}/console/#/desk`);
    await page.getByLabel('Mã thủ tục hành chính').fill('1.001193');
    await page.getByLabel('Số định danh cá nhân / mã số thuế người nộp').fill(PERSON);
    const reuse = page.locator(`[data-reuse="${doneDocId}"]`);
    await reuse.click();
    expect(await reuse.getAttribute('aria-pressed')).toBe('true');
    await check(page, '07-desk-reuse');
    await page.getByRole('button', { name: 'Tiếp nhận' }).click();
    await page.waitForURL(/#\/dossiers\//);
    await page.locator('tr[data-document] .tag').waitFor();
    const receipt = await page.locator('.receipt').textContent();
    expect(receipt).toContain('Giấy tờ đã nhận (0)');
    expect(receipt).toContain('Giấy tờ tái sử dụng (không cần nộp lại) (1)');
    expect(receipt).toContain('Giấy khai sinh');
  }, 120_000);

  it('confirms a review item with the keyboard alone', async () => {
    const id = await reviewDocId;
    const archive = admin.withKey(keys.archive!);
    await waitFor(async () => (await archive.json('GET', `/v1/documents/${id}`)).body.status === 'review', 240_000, 500);
    const page = await tab('archive');
    await page.goto(`${app.url}/console/#/review`);
    await page.getByRole('heading', { name: 'unknown-giay-moi-01.jpg' }).waitFor();
    await page.locator('.viewer img').waitFor(); // the page picture, from /v1/documents/{id}/pages/1
    await check(page, '08-review');
    await page.keyboard.press('Enter');
    await page.getByText('1 đã xác nhận').waitFor();
    const after = await archive.json('GET', `/v1/documents/${id}`);
    expect(after.body.status).not.toBe('review');
    expect(after.body.review.docType).toBe('unknown');
  }, 300_000);

  it('shows a leader the progress chart against the targets', async () => {
    const page = await tab('leader');
    await page.goto(`${app.url}/console/#/progress`);
    const canvas = page.locator('.chart canvas');
    await canvas.waitFor();
    await page.locator('table.numbers tbody tr').first().waitFor();
    // Chart.js drew on the canvas: some pixel is not transparent.
    const drawn = await page.evaluate(`(() => { const c = document.querySelector('.chart canvas'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; })()`);
    expect(drawn).toBe(true);
    await check(page, '09-progress');
  }, 60_000);

  it('switches to English, shows only what the role allows, and returns to sign-in once the key is revoked', async () => {
    const made = await admin.json<{ id: string; key: string }>('POST', '/v1/api-keys', { role: 'desk', unitCode: UNIT });
    const t = await openTab(browser, app.url!);
    tabs.push(t);
    const { page } = t;
    await signIn(page, made.body.key);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Receive a dossier' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents()).not.toContain('Review');
    await page.goto(`${app.url}/console/#/review`);
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    expect((await admin.json('DELETE', `/v1/api-keys/${made.body.id}`)).status).toBeLessThan(300);
    await page.goto(`${app.url}/console/#/archive?q=hai`);
    await page.getByLabel('API key').waitFor();
    await page.getByText('sign in again').waitFor();
    expect(await page.evaluate('sessionStorage.getItem("motcua.key")')).toBeNull();
    for (const x of tabs) expect(x.problems).toEqual([]);
  });
});
