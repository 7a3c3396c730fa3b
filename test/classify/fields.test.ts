import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, extractFields, loadCatalog, loadSeedModel } from '../../services/classify/index.js';
import { loadSamples, nativeOcrTexts, requireCorpus, sameValue, type Sample } from './corpus.js';
import { makeNoise } from './noise.js';

const catalog = loadCatalog();
const NOW = new Date('2026-11-28T12:00:00Z');

interface FieldScore {
  perField: Record<string, { ok: number; n: number }>;
  ok: number;
  n: number;
  review: number;
  docs: number;
}

function score(samples: { s: Sample; text: string }[]): FieldScore {
  const r: FieldScore = { perField: {}, ok: 0, n: 0, review: 0, docs: 0 };
  for (const { s, text } of samples) {
    if (s.docType === 'unknown') continue;
    r.docs++;
    const ex = extractFields(text, s.docType, catalog, { now: NOW });
    if (ex.needsReview) r.review++;
    for (const [k, v] of Object.entries(s.fields)) {
      const f = (r.perField[k] ??= { ok: 0, n: 0 });
      f.n++;
      r.n++;
      if (sameValue(k, v, ex.fields[k])) {
        f.ok++;
        r.ok++;
      }
    }
  }
  return r;
}

function report(label: string, r: FieldScore): void {
  const per = Object.entries(r.perField)
    .map(([k, v]) => `${k} ${v.ok}/${v.n}`)
    .join(', ');
  console.log(`${label}: key-field accuracy ${r.ok}/${r.n} = ${(r.ok / r.n).toFixed(3)}; papers to review ${r.review}/${r.docs}\n  ${per}`);
}

describe('field extraction on the dev corpus', () => {
  requireCorpus();
  const samples = loadSamples();
  let native = new Map<string, string>();
  beforeAll(async () => {
    native = await nativeOcrTexts();
  }, 600_000);
  const ocrText = (id: string) => native.get(id) ?? null;

  it('reads the key fields from the printed lines', () => {
    const r = score(samples.map((s) => ({ s, text: s.lines.join('\n') })));
    report('lines', r);
    expect(r.ok / r.n).toBeGreaterThanOrEqual(0.92);
    for (const [k, v] of Object.entries(r.perField)) expect(v.ok / v.n, k).toBeGreaterThanOrEqual(0.9);
  });

  it('does not silently pass a wrong value that fails its check', () => {
    // Every extracted value that differs from the truth must be flagged (ok false or low confidence).
    let silent = 0;
    for (const s of samples.filter((x) => x.docType !== 'unknown')) {
      const ex = extractFields(s.lines.join('\n'), s.docType, catalog, { now: NOW });
      for (const [k, v] of Object.entries(s.fields)) {
        if (!sameValue(k, v, ex.fields[k]) && !ex.needsReview) silent++;
      }
    }
    expect(silent).toBe(0);
  });

  it('reads the key fields from native tesseract output of the shipped scans', () => {
    const withOcr = samples.map((s) => ({ s, text: ocrText(s.id) })).filter((x): x is { s: Sample; text: string } => x.text !== null);
    expect(withOcr.length).toBeGreaterThanOrEqual(15);
    const all = score(withOcr);
    const upright = score(withOcr.filter((x) => !x.s.turned));
    report('OCR (all pages)', all);
    report('OCR (upright pages)', upright);
    expect(upright.ok / upright.n).toBeGreaterThanOrEqual(0.92);
  });

  it('keeps field accuracy on lines damaged like OCR output, flagging what it cannot restore', () => {
    const noisy = makeNoise(7);
    const damaged = samples.flatMap((s) => [1, 2, 3].map(() => ({ s, text: noisy(s.lines) })));
    const r = score(damaged);
    report('synthetic OCR damage (3 draws per paper)', r);
    expect(r.ok / r.n).toBeGreaterThanOrEqual(0.95);
    // A wrong value is either failed, low-confidence, or a bare name word with accented variants (0.7).
    for (const { s, text } of damaged.filter((x) => x.s.docType !== 'unknown')) {
      const ex = extractFields(text, s.docType, catalog, { now: NOW });
      for (const [k, v] of Object.entries(s.fields)) {
        if (sameValue(k, v, ex.fields[k])) continue;
        const chk = ex.fieldChecks[k]!;
        expect(!chk.ok || chk.confidence <= 0.75, `${s.id} ${k}: ${ex.fields[k]} ${JSON.stringify(chk)}`).toBe(true);
      }
    }
  });

  it('sends a paper to review when the type is sure but a key field is missing', () => {
    const s = samples.find((x) => x.docType === 'giay-khai-sinh')!;
    const text = s.lines.filter((l) => !/định danh/.test(l)).join('\n');
    const a = analyze(text, loadSeedModel(), catalog, { now: NOW });
    expect(a.classification.docType).toBe('giay-khai-sinh');
    expect(a.needsReview).toBe(true);
    expect(a.reviewReasons.some((r) => r.includes('idNumber'))).toBe(true);
  });
});

describe('field extraction on synthetic papers', () => {
  const birth = [
    'ỦY BAN NHÂN DÂN',
    'XÃ TÂY SƠN',
    'HUYỆN KIẾN XƯƠNG',
    'Số: 12 Quyển số: 01/2024',
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    'Độc lập - Tự do - Hạnh phúc',
    'Tây Sơn, ngày 05 tháng 02 năm 2024',
    'GIẤY KHAI SINH',
    'Họ, chữ đệm, tên: NGUYÊN THỊ MAI',
    'Ngày, tháng, năm sinh: 01/O2/2024 ghi bằng chữ: Ngày một tháng hai năm hai nghìn không trăm hai',
    'mươi tư',
    'Giới tính: Nữ Dân tộc: Kinh Quốc tịch: Việt Nam',
    'Số định danh cá nhân: O343244l2345',
    'Nơi đăng ký khai sinh: Ủy ban nhân dân xã Tây Sơn, huyện Kiến Xương, tỉnh Thái Bình',
    'Ngày, tháng, năm đăng ký: 05/02/2024',
  ].join('\n');

  it('repairs the surname, digit look-alikes and checks the id against birth year and gender', () => {
    const ex = extractFields(birth, 'giay-khai-sinh', catalog, { now: NOW });
    expect(ex.fields['fullName']).toBe('Nguyễn Thị Mai');
    expect(ex.fieldChecks['fullName']?.reason).toMatch(/repaired/);
    expect(ex.fields['dateOfBirth']).toBe('01/02/2024');
    expect(ex.fields['idNumber']).toBe('034324412345');
    expect(ex.fieldChecks['idNumber']?.ok).toBe(true);
    expect(ex.fields['gender']).toBe('Nữ');
    expect(ex.fields['documentNumber']).toBe('12');
    expect(ex.fields['issueDate']).toBe('05/02/2024');
    expect(ex.fields['issuer']).toBe('Ủy ban nhân dân xã Tây Sơn');
  });

  it('flags an id whose birth year or gender contradicts the paper', () => {
    const wrongYear = birth.replace('O343244l2345', '034323412345');
    expect(extractFields(wrongYear, 'giay-khai-sinh', catalog, { now: NOW }).fieldChecks['idNumber']).toMatchObject({ ok: false, reason: expect.stringMatching(/birth year .* does not match/) });
    const wrongGender = birth.replace('O343244l2345', '034224412345');
    const ex = extractFields(wrongGender, 'giay-khai-sinh', catalog, { now: NOW });
    expect(ex.fieldChecks['idNumber']).toMatchObject({ ok: false, reason: expect.stringMatching(/sex in the id .* does not match/) });
    expect(ex.needsReview).toBe(true);
  });

  it('flags a birth date whose words disagree with its digits', () => {
    const ex = extractFields(birth.replace('01/O2/2024', '01/03/2024'), 'giay-khai-sinh', catalog, { now: NOW });
    expect(ex.fieldChecks['dateOfBirth']).toMatchObject({ ok: false });
  });

  it('checks the enterprise code check digit', () => {
    const text = ['GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP', 'Mã số doanh nghiệp: 1052773788', 'Đăng ký lần đầu: ngày 01 tháng 10 năm 2020'].join('\n');
    const ex = extractFields(text, 'giay-chung-nhan-dang-ky-doanh-nghiep', catalog, { now: NOW });
    expect(ex.fieldChecks['enterpriseCode']).toMatchObject({ ok: false, reason: expect.stringMatching(/check digit/) });
    const good = extractFields(text.replace('1052773788', '1052773789'), 'giay-chung-nhan-dang-ky-doanh-nghiep', catalog, { now: NOW });
    expect(good.fieldChecks['enterpriseCode']?.ok).toBe(true);
    expect(good.fields['issueDate']).toBe('01/10/2020');
  });

  it('reads decision numbers with Vietnamese symbols, restoring Đ lost by OCR', () => {
    const text = ['ỦY BAN NHÂN DÂN', 'TỈNH THÁI BÌNH', 'Số: 1958/QD-UBND', 'Thái Bình, ngày 13 tháng 8 năm 2021', 'QUYẾT ĐỊNH'].join('\n');
    const ex = extractFields(text, 'quyet-dinh-hanh-chinh', catalog, { now: NOW });
    expect(ex.fields['documentNumber']).toBe('1958/QĐ-UBND');
    expect(ex.fields['issueDate']).toBe('13/08/2021');
    expect(ex.needsReview).toBe(false);
  });

  it('reports a field with no rule as missing, so an operator-added type is reviewed', () => {
    const cat = loadCatalog([{ slug: 'so-ho-khau', name: 'Sổ hộ khẩu', kind: 'result', issuerLevel: 'commune', fields: ['householdNumber'] }]);
    const ex = extractFields('SỔ HỘ KHẨU\nSố: 123', 'so-ho-khau', cat, { now: NOW });
    expect(ex.fieldChecks['householdNumber']).toMatchObject({ ok: false, reason: 'no extraction rule for this field' });
    expect(ex.needsReview).toBe(true);
  });
});
