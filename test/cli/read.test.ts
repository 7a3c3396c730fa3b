// `sohoa search`, `person` and `progress` against a small local server that answers in the shapes of
// ../shared/API.md (the endpoints are built on other branches): the query the tool sends, pagination,
// the tables and JSON it prints, 429 with Retry-After on a read, and the exit codes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './helpers.js';

// Each test runs the tool several times as a child process; on a busy machine each start costs seconds.
vi.setConfig({ testTimeout: 300_000 });

const KEY = 'mck_stub-key';
let server: http.Server;
let base = '';
const seen: { path: string; query: Record<string, string>; at: number }[] = [];
let throttleNext = 0;

const item = (n: number) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  code: `034221659693.KQ.G15.00003${n}.01`,
  docType: 'giay-khai-sinh',
  title: 'Giấy khai sinh',
  unitCode: '000.03.21.H54',
  issueDate: '2022-03-07',
  personIds: ['034221659693'],
  snippet: 'ĐẶNG ĐỨC VIỆT',
  status: 'done',
  reusable: n !== 2,
  notReusableReason: n === 2 ? 'EXPIRED' : null,
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), at: Date.now() });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/csv; charset=utf-8' : 'application/json', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${KEY}`) return send(401, { error: { code: 'UNAUTHORIZED', message: 'Thiếu hoặc sai khóa truy cập / Missing or invalid API key' } });
    if (throttleNext > 0) {
      throttleNext--;
      return send(429, { error: { code: 'RATE_LIMITED', message: 'slow down' } }, { 'retry-after': '1' });
    }
    if (url.pathname === '/v1/search') {
      const page = url.searchParams.get('cursor') === 'p2' ? [item(3)] : [item(1), item(2)];
      return send(200, { total: 3, items: page, nextCursor: url.searchParams.get('cursor') === 'p2' ? null : 'p2' });
    }
    const person = /^\/v1\/people\/([^/]+)\/documents$/.exec(url.pathname);
    if (person) {
      if (person[1] === '001099000000') return send(200, { items: [] });
      return send(200, {
        items: [
          { ...item(1), validUntil: null, inScope: true },
          { ...item(2), validUntil: '2023-01-01', inScope: false, title: null },
        ],
      });
    }
    if (url.pathname === '/v1/progress') {
      return send(200, {
        period: url.searchParams.get('period') ?? '2025',
        items: [
          {
            unitCode: '000.03.21.H54',
            level: 'commune',
            dossiersReceived: 120,
            dossiersDigitized: 96,
            digitizationRate: 0.8,
            dossiersWithReuse: 30,
            reuseRate: 0.25,
            resultsIssued: 80,
            resultsDigitized: 70,
            resultDigitizationRate: 0.875,
            target: { digitization: 1, reuse: 0.5 },
            onTrack: false,
            gap: { digitization: 0.2, reuse: 0.25 },
            score766: { digitization: 1, reuse: 0.3125, points: 22, maxPoints: 22 },
          },
          {
            unitCode: null,
            name: 'Cấp xã',
            level: 'commune',
            dossiersReceived: 300,
            dossiersDigitized: 150,
            digitizationRate: 0.5,
            dossiersWithReuse: 0,
            reuseRate: 0,
            resultsIssued: 0,
            resultsDigitized: 0,
            resultDigitizationRate: null,
            target: { digitization: 1, reuse: 0.5 },
            onTrack: false,
            gap: { digitization: 0.5, reuse: 0.5 },
            score766: { digitization: 0.625, reuse: 0, points: 13.75, maxPoints: 22 },
          },
        ],
      });
    }
    if (url.pathname === '/v1/progress.csv') return send(200, 'unitCode,level,digitizationRate\n000.03.21.H54,commune,0.8\n');
    return send(404, { error: { code: 'NOT_FOUND', message: 'Không tìm thấy / Not found' } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const env = () => ({ SOHOA_URL: base, SOHOA_KEY: KEY });

describe('read commands', () => {
  it('search sends the filters as the API names them and follows nextCursor with --all', async () => {
    seen.length = 0;
    const res = await runCli(['search', 'khai sinh', '--person', '034221659693', '--doc-type', 'giay-khai-sinh', '--unit', '000.03.21.H54', '--from', '2020-01-01', '--to', '2024-12-31', '--status', 'done', '--limit', '2', '--all', '--json'], env());
    expect(res.code, res.stderr).toBe(0);
    expect(seen.map((s) => s.query)).toEqual([
      { q: 'khai sinh', personId: '034221659693', docType: 'giay-khai-sinh', unitCode: '000.03.21.H54', issuedFrom: '2020-01-01', issuedTo: '2024-12-31', status: 'done', limit: '2' },
      { q: 'khai sinh', personId: '034221659693', docType: 'giay-khai-sinh', unitCode: '000.03.21.H54', issuedFrom: '2020-01-01', issuedTo: '2024-12-31', status: 'done', limit: '2', cursor: 'p2' },
    ]);
    const out = JSON.parse(res.stdout);
    expect(out.total).toBe(3);
    expect(out.items.map((i: { id: string }) => i.id.slice(-1))).toEqual(['1', '2', '3']);
    expect(out.nextCursor).toBeNull();

    const human = await runCli(['search', 'khai sinh', '--lang', 'vi'], env());
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Mã\s+Loại giấy tờ\s+Tiêu đề/);
    expect(human.stdout).toMatch(/034221659693\.KQ\.G15\.000032\.01\s+giay-khai-sinh\s+Giấy khai sinh\s+000\.03\.21\.H54\s+2022-03-07\s+done\s+không \(EXPIRED\)/);
    expect(human.stdout).toMatch(/3 kết quả/);
    expect(human.stdout).toMatch(/Còn nữa: --cursor p2/);
  });

  it('person lists a citizen’s papers, and says so when there are none', async () => {
    const res = await runCli(['person', '034221659693'], env());
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/034221659693\.KQ\.G15\.000031\.01\s+giay-khai-sinh\s+Giấy khai sinh.*yes\s+yes/);
    expect(res.stdout).toMatch(/2023-01-01\s+no \(EXPIRED\)\s+no/);
    const json = JSON.parse((await runCli(['person', '034221659693', '--json'], env())).stdout);
    expect(json.items).toHaveLength(2);
    const none = await runCli(['person', '001099000000', '--lang', 'vi'], env());
    expect(none.stdout.trim()).toBe('Không có giấy tờ nào');
  });

  it('progress prints rates as percentages, or the CSV export with --csv', async () => {
    seen.length = 0;
    const res = await runCli(['progress', '--unit', '000.03.21.H54', '--period', '2025-Q3', '--group-by', 'unit'], env());
    expect(res.code).toBe(0);
    expect(seen[0]!.query).toEqual({ unitCode: '000.03.21.H54', period: '2025-Q3', groupBy: 'unit' });
    expect(res.stdout).toMatch(/000\.03\.21\.H54\s+commune\s+120\s+96\s+80\.0%\s+25\.0%\s+100\.0% \/ 50\.0%\s+no\s+22\/22\n/);
    expect(res.stdout).toMatch(/Cấp xã\s+commune\s+300\s+150\s+50\.0%\s+0\.0%\s+100\.0% \/ 50\.0%\s+no\s+13\.8\/22\n/);
    const csv = await runCli(['progress', '--csv'], env());
    expect(csv.stdout).toBe('unitCode,level,digitizationRate\n000.03.21.H54,commune,0.8\n');
  });

  it('waits as a 429 Retry-After asks on reads too; a wrong key exits 4', async () => {
    seen.length = 0;
    throttleNext = 1;
    const res = await runCli(['person', '034221659693', '--json'], env());
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/API busy \(429 RATE_LIMITED\), waiting 1\.0 s as asked/);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(990);

    const wrong = await runCli(['search', 'x', '--key', 'mck_other', '--json'], env());
    expect(wrong.code).toBe(4);
    expect(JSON.parse(wrong.stdout).error.code).toBe('UNAUTHORIZED');
  });
});
