import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, classify, loadCatalog, loadSeedModel, train } from '../../services/classify/index.js';
import { loadSamples, nativeOcrTexts, requireCorpus } from './corpus.js';
import { makeNoise } from './noise.js';

const catalog = loadCatalog();
const seed = loadSeedModel();
const NOW = new Date('2026-11-28T12:00:00Z');

interface Tally {
  n: number;
  correct: number;
  silent: number;
  review: number;
}

function tally(items: { expected: string; got: string; review: boolean }[]): Tally {
  const t: Tally = { n: 0, correct: 0, silent: 0, review: 0 };
  for (const i of items) {
    t.n++;
    if (i.got === i.expected) t.correct++;
    else if (!i.review) t.silent++;
    if (i.review) t.review++;
  }
  return t;
}

describe('classifier on the dev corpus', () => {
  requireCorpus();
  const samples = loadSamples();
  let native = new Map<string, string>();
  beforeAll(async () => {
    native = await nativeOcrTexts();
  }, 600_000);
  const ocrText = (id: string) => native.get(id) ?? null;

  it('types the printed lines with the seed model (never trained on the corpus)', () => {
    const t = tally(
      samples.map((s) => {
        const c = classify(s.lines.join('\n'), seed, catalog);
        return { expected: s.docType, got: c.docType, review: c.needsReview };
      }),
    );
    console.log(`type accuracy on lines: ${t.correct}/${t.n}, review ${t.review}, silent ${t.silent}`);
    expect(t.n).toBe(samples.length);
    expect(t.n).toBeGreaterThanOrEqual(42);
    expect(t.correct / t.n).toBeGreaterThanOrEqual(0.98);
    expect(t.silent).toBe(0);
  });

  it('keeps leave-one-out accuracy when trained on the other samples', () => {
    const t = tally(
      samples.map((s) => {
        const model = train(samples.filter((o) => o.id !== s.id).map((o) => ({ text: o.lines.join('\n'), docType: o.docType })));
        const c = classify(s.lines.join('\n'), model, catalog);
        return { expected: s.docType, got: c.docType, review: c.needsReview };
      }),
    );
    console.log(`leave-one-out accuracy: ${t.correct}/${t.n}, silent ${t.silent}`);
    expect(t.correct / t.n).toBeGreaterThanOrEqual(0.98);
    expect(t.silent).toBe(0);
  });

  it('analyze(): no silent type errors, and few papers sent to review', () => {
    for (const [label, texts] of [
      ['lines', samples.map((s) => ({ s, text: s.lines.join('\n') }))],
      ['OCR', samples.map((s) => ({ s, text: ocrText(s.id) })).filter((x): x is { s: (typeof samples)[number]; text: string } => x.text !== null)],
    ] as const) {
      if (texts.length === 0) continue;
      let review = 0;
      let silent = 0;
      for (const { s, text } of texts) {
        const a = analyze(text, seed, catalog, { now: NOW });
        if (a.needsReview) review++;
        else if (a.classification.docType !== s.docType) silent++;
      }
      console.log(`analyze on ${label}: ${review}/${texts.length} to review, ${silent} silent type errors`);
      expect(silent).toBe(0);
    }
  });

  it('never files an out-of-catalog paper under a type without review', () => {
    for (const s of samples.filter((x) => x.docType === 'unknown')) {
      const a = analyze(s.lines.join('\n'), seed, catalog, { now: NOW });
      expect(a.needsReview).toBe(true);
      expect(a.classification.docType).toBe('unknown');
    }
  });

  it('types lines damaged like OCR output without silent errors', () => {
    const noisy = makeNoise(11);
    const t = tally(
      samples.flatMap((s) =>
        [1, 2, 3].map(() => {
          const c = classify(noisy(s.lines), seed, catalog);
          return { expected: s.docType, got: c.docType, review: c.needsReview };
        }),
      ),
    );
    console.log(`type accuracy with synthetic OCR damage: ${t.correct}/${t.n}, silent ${t.silent}`);
    expect(t.silent).toBe(0);
    expect(t.correct / t.n).toBeGreaterThanOrEqual(0.98);
  });

  it('survives text with every diacritic lost', () => {
    const t = tally(
      samples.map((s) => {
        const text = s.lines.join('\n').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd');
        const c = classify(text, seed, catalog);
        return { expected: s.docType, got: c.docType, review: c.needsReview };
      }),
    );
    console.log(`type accuracy without diacritics: ${t.correct}/${t.n}, silent ${t.silent}`);
    expect(t.silent).toBe(0);
    expect(t.correct / t.n).toBeGreaterThanOrEqual(0.9);
  });

  it('types native tesseract output of the shipped scans with no silent errors', () => {
    const withOcr = samples.map((s) => ({ s, text: ocrText(s.id) })).filter((x): x is { s: (typeof samples)[number]; text: string } => x.text !== null);
    expect(withOcr.length).toBeGreaterThanOrEqual(15);
    const results = withOcr.map(({ s, text }) => {
      const c = classify(text, seed, catalog);
      return { expected: s.docType, got: c.docType, review: c.needsReview, turned: s.turned };
    });
    const all = tally(results);
    const upright = tally(results.filter((r) => !r.turned));
    console.log(`type accuracy on OCR: ${all.correct}/${all.n} (upright pages ${upright.correct}/${upright.n}), review ${all.review}, silent ${all.silent}`);
    expect(all.silent).toBe(0);
    expect(upright.correct / upright.n).toBeGreaterThanOrEqual(0.95);
  });
});

describe('classifier behaviour', () => {
  it('recognizes a type an operator adds, by its title, before any training', () => {
    const extended = loadCatalog([
      { slug: 'giay-chung-nhan-quyen-su-dung-dat', resultTypeCode: 'KQ.G15.000099' },
      { slug: 'giay-xac-nhan-nguoi-co-cong', name: 'Giấy xác nhận người có công', kind: 'result', issuerLevel: 'commune', fields: ['fullName'] },
    ]);
    expect(extended.version).not.toBe(catalog.version);
    expect(extended.types.find((t) => t.slug === 'giay-chung-nhan-quyen-su-dung-dat')?.resultTypeCode).toBe('KQ.G15.000099');
    const text = ['ỦY BAN NHÂN DÂN', 'XÃ AN BỒI', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'GIẤY XÁC NHẬN NGƯỜI CÓ CÔNG', 'Họ, chữ đệm, tên: TRẦN VĂN AN'].join('\n');
    const c = classify(text, seed, extended);
    expect(c.docType).toBe('giay-xac-nhan-nguoi-co-cong');
    expect(classify(text, seed, catalog).docType).toBe('unknown');
  });

  it('produces a JSON model that classifies the same after a round trip', () => {
    const model = train([{ text: 'GIẤY KHAI SINH\nHọ, chữ đệm, tên: A\nNơi đăng ký khai sinh:', docType: 'giay-khai-sinh' }]);
    const copy = JSON.parse(JSON.stringify(model)) as typeof model;
    const text = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nGIẤY KHAI SINH\nNơi đăng ký khai sinh: Ủy ban nhân dân xã';
    expect(classify(text, copy, catalog)).toEqual(classify(text, model, catalog));
    expect(model.version).not.toBe(seed.version);
    expect(model.classes['giay-khai-sinh']?.docs).toBe((seed.classes['giay-khai-sinh']?.docs ?? 0) + 1);
  });

  it('sends a paper with no title to review as unknown', () => {
    const c = classify('Kính gửi: Ủy ban nhân dân huyện\nBáo cáo tình hình số hóa hồ sơ trong quý.', seed, catalog);
    expect(c.docType).toBe('unknown');
    expect(c.needsReview).toBe(true);
    expect(c.confidence).toBeGreaterThanOrEqual(0);
    expect(c.confidence).toBeLessThanOrEqual(1);
  });
});

describe('papers that name a catalog type without being one', () => {
  const seed = loadSeedModel();
  const head = ['ỦY BAN NHÂN DÂN', 'XÃ AN BỒI', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'An Bồi, ngày 02 tháng 03 năm 2024'];
  const cases: [string, string[]][] = [
    ['TỜ KHAI CẤP GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN', ['Kính gửi: Ủy ban nhân dân xã An Bồi', 'Họ, chữ đệm, tên người yêu cầu: Lê Văn An', 'Tình trạng hôn nhân: Chưa đăng ký kết hôn với ai', 'Đề nghị cấp Giấy xác nhận tình trạng hôn nhân']],
    ['GIẤY CHỨNG NHẬN ĐĂNG KÝ THUẾ', ['Mã số thuế: 1052773789', 'Tên người nộp thuế: CÔNG TY TNHH AN PHÁT', 'Ngày cấp: 01/10/2020']],
    ['TRÍCH LỤC KẾT HÔN', ['Họ, chữ đệm, tên chồng: LÊ VĂN AN', 'Họ, chữ đệm, tên vợ: MAI THỊ BÌNH', 'Nơi đăng ký kết hôn: Ủy ban nhân dân xã An Bồi']],
    ['TỜ KHAI ĐĂNG KÝ KẾT HÔN', ['Kính gửi: Ủy ban nhân dân xã An Bồi', 'Họ, chữ đệm, tên: LÊ VĂN AN', 'Giấy tờ tùy thân: Căn cước công dân số 034083293540']],
    ['ĐƠN ĐỀ NGHỊ CẤP BẢN SAO GIẤY KHAI SINH', ['Kính gửi: Ủy ban nhân dân xã An Bồi', 'Họ, chữ đệm, tên người yêu cầu: Lê Văn An', 'Nơi đăng ký khai sinh: Ủy ban nhân dân xã An Bồi']],
    ['THÔNG BÁO', ['Về việc tiếp nhận hồ sơ đăng ký khai sinh, kết hôn, khai tử', 'Giấy khai sinh, Giấy chứng nhận kết hôn được trả tại Bộ phận Một cửa']],
  ];
  for (const [title, body] of cases) {
    it(`does not file "${title}" under a catalog type without review`, () => {
      const c = classify([...head, title, ...body].join('\n'), seed, catalog);
      expect(c.docType === 'unknown' || c.needsReview, `${c.docType} ${c.confidence}`).toBe(true);
    });
  }
});
