import { describe, expect, it } from 'vitest';
import { formatDate, normalizeName, parseDate, parseWrittenDate, titleCaseName, wordsToNumber } from '../../services/classify/index.js';
import { DOCUMENT_NUMBER_RE, findPersonalId, findSerial, normalizeBusinessCode, normalizeDocumentNumber, normalizeTaxCode } from '../../services/classify/numbers.js';
import { editDistance, fold, repairDigits } from '../../services/classify/text.js';
import { tokenF1 } from '../../services/classify/titles.js';
import { catalogFromObject, loadCatalog } from '../../services/classify/catalog.js';

describe('names', () => {
  it('restores title case and keeps diacritics', () => {
    expect(titleCaseName('ĐẶNG ĐỨC VIỆT')).toBe('Đặng Đức Việt');
    expect(normalizeName('QUÁCH THỊ HUYỀN').value).toBe('Quách Thị Huyền');
  });
  it('repairs uppercase surname confusions and says so', () => {
    expect(normalizeName('NGUYÊN VĂN AN')).toMatchObject({ value: 'Nguyễn Văn An', repaired: true });
    expect(normalizeName('TRAN BICH CHAU')).toMatchObject({ value: 'Trần Bích Châu', repaired: true, ambiguous: [] });
    // VAN may be Văn or Vân; THANH is valid but may have lost its mark: neither is guessed.
    expect(normalizeName('LE VAN AN')).toMatchObject({ value: 'Lê Van An', ambiguous: ['Van'] });
    expect(normalizeName('HỒ THANH LONG')).toMatchObject({ value: 'Hồ Thanh Long', repaired: false, uncertain: true });
    expect(normalizeName('Lê Văn Long')).toMatchObject({ value: 'Lê Văn Long', repaired: false });
  });
  it('rejects text that is not a name', () => {
    expect(normalizeName('Căn cước công dân số 034083293540').plausible).toBe(false);
    expect(normalizeName('An').plausible).toBe(false);
  });
});

describe('dates', () => {
  it('reads numeric and "ngày .. tháng .. năm" forms, repairing look-alikes', () => {
    expect(formatDate(parseDate('Đông Hưng, ngày 07 tháng 03 năm 2022')!)).toBe('07/03/2022');
    expect(formatDate(parseDate('sinh: 2O/11/1992')!)).toBe('20/11/1992');
    expect(formatDate(parseDate('ngay 5 thang 8 nam 2021')!)).toBe('05/08/2021');
    expect(parseDate('31/02/2020')).toBeNull();
  });
  it('reads dates written in words', () => {
    expect(wordsToNumber('hai nghìn không trăm hai mươi mốt')).toBe(2021);
    expect(wordsToNumber('một nghìn chín trăm năm mươi lăm')).toBe(1955);
    expect(wordsToNumber('mười sáu')).toBe(16);
    expect(formatDate(parseWrittenDate('Ngày tám tháng năm năm hai nghìn không trăm mười sáu')!)).toBe('08/05/2016');
    expect(parseWrittenDate('Ngày ba mươi tháng hai năm hai nghìn')).toBeNull();
  });
});

describe('numbers and identifiers', () => {
  it('repairs digit look-alikes only in numeric tokens', () => {
    expect(repairDigits('O34l9S')).toBe('034195');
    expect(repairDigits('Nam')).toBeNull();
    expect(findPersonalId('Số định danh: O34 221 659 693')).toEqual({ value: '034221659693', repaired: true });
    expect(findPersonalId('Số: 226')).toBeNull();
  });
  it('normalizes document numbers, serials and business codes', () => {
    expect(normalizeDocumentNumber('247IXNTTHN')).toBe('247/XNTTHN');
    expect(normalizeDocumentNumber('1958/QĐ-UBND')).toBe('1958/QĐ-UBND');
    expect(normalizeDocumentNumber('48/TLKT-BS', 'entry')).toBe('48');
    expect(normalizeDocumentNumber('12/2024/QD-UBND')).toBe('12/2024/QĐ-UBND');
    expect(DOCUMENT_NUMBER_RE.test('12/2024/QĐ-UBND')).toBe(true);
    expect(DOCUMENT_NUMBER_RE.test('12/')).toBe(false);
    expect(normalizeDocumentNumber('155_ Quyển')).toBe('155');
    expect(findSerial('CS 4O7503')).toBe('CS 407503');
    expect(findSerial('Số vào sổ cấp GCN: CH 47439')).toBeNull();
    expect(normalizeBusinessCode('34C8O52312')).toBe('34C8052312');
    expect(normalizeTaxCode('1052773789')).toBe('1052773789');
    expect(normalizeTaxCode('0100109106-001')).toBe('0100109106-001');
  });
});

describe('text and titles', () => {
  it('folds diacritics and đ', () => {
    expect(fold('GIẤY XÁC NHẬN  Đất')).toBe('giay xac nhan dat');
    expect(editDistance('nguyen', 'nguyenn', 1)).toBe(1);
  });
  it('requires every word of a short title', () => {
    expect(tokenF1(['giay', 'khai', 'sinh'], ['giay', 'khai', 'sinh'])).toBe(1);
    expect(tokenF1(['giay', 'chung', 'nhan', 'dang', 'ky', 'doanh', 'nghiep'], ['giay', 'chung', 'nhan', 'dang', 'ky', 'thue'])).toBeLessThan(0.8);
  });
});

describe('catalog', () => {
  it('versions the catalog by content and merges operator additions', () => {
    const a = loadCatalog();
    expect(a.types.map((t) => t.slug)).toContain('giay-khai-sinh');
    expect(a.types).toHaveLength(13);
    expect(loadCatalog().version).toBe(a.version);
    const b = loadCatalog([{ slug: 'giay-chung-nhan-ket-hon', resultTypeCode: 'KQ.G15.000033' }]);
    expect(b.version).not.toBe(a.version);
    expect(() => catalogFromObject({ types: [{ slug: 'Bad Slug', name: 'x' }] })).toThrow(/slug/);
    expect(() => loadCatalog([{ slug: 'new-type' }])).toThrow(/no name/);
  });
});

describe('surname repair', () => {
  it('repairs only readings that cannot be right', () => {
    expect(normalizeName('QUÂN VĂN AN').value).toBe('Quân Văn An');
    expect(normalizeName('NGUYỀN VĂN AN').value).toBe('Nguyễn Văn An');
    expect(normalizeName('DANG ĐỨC VIỆT').value).toBe('Đặng Đức Việt');
    expect(normalizeName('ĐĂNG ĐỨC VIỆT').value).toBe('Đặng Đức Việt');
  });
});
