import { describe, expect, it } from 'vitest';
import {
  CodeFormatError,
  DIGITIZED_CODE_RE,
  DOSSIER_CODE_RE,
  RESULT_CODE_RE,
  counterKey,
  formatDigitizedCode,
  formatDossierCode,
  formatResultCode,
  isValidCode,
  loadSchemes,
  sanitizeSegment,
  schemeFor,
  schemesFromObject,
} from '../../services/codes/index.js';

const AT = new Date('2023-04-05T03:00:00Z');

describe('dossier and result codes', () => {
  it('formats the README example', () => {
    expect(formatDossierCode('000.00.12.H54', AT, 7)).toBe('000.00.12.H54-230405-0007');
    expect(formatResultCode('000.00.12.H54-230405-0007', 1)).toBe('000.00.12.H54-230405-0007-KQ1');
    expect(DOSSIER_CODE_RE.test('000.00.12.H54-230405-0007')).toBe(true);
    expect(RESULT_CODE_RE.test('000.00.12.H54-230405-0007-KQ12')).toBe(true);
    expect(RESULT_CODE_RE.test('000.00.12.H54-230405-0007-KQ0')).toBe(false);
  });

  it('dates the dossier in Vietnam time, not UTC', () => {
    // 2023-04-04 23:30 UTC is already 5 April in Hanoi.
    expect(formatDossierCode('000.00.12.H54', new Date('2023-04-04T23:30:00Z'), 1)).toBe('000.00.12.H54-230405-0001');
  });

  it('refuses bad units and serials that do not fit', () => {
    expect(() => formatDossierCode('H54', AT, 1)).toThrow(CodeFormatError);
    expect(() => formatDossierCode('000.00.12.H54', AT, 10000)).toThrow(/4 digits/);
    expect(() => formatDossierCode('000.00.12.H54', AT, 0)).toThrow(CodeFormatError);
    expect(() => formatResultCode('not-a-dossier', 1)).toThrow(CodeFormatError);
  });
});

describe('digitized-paper codes', () => {
  const scheme = schemeFor('digitized', new Date('2026-11-28T00:00:00Z'));

  it('formats the practice example', () => {
    const code = formatDigitizedCode(scheme, { ownerId: '034090001234', resultTypeCode: 'KQ.G15.000031', documentNumber: '123' }, 1);
    expect(code).toBe('034090001234.KQ.G15.000031.123.01');
    expect(DIGITIZED_CODE_RE.test(code)).toBe(true);
    expect(isValidCode('digitized', code, scheme)).toBe(true);
  });

  it('leaves the owner segment empty when the owner is unknown', () => {
    expect(formatDigitizedCode(scheme, { resultTypeCode: 'KQ.G15.000032', documentNumber: '85' }, 3)).toBe('.KQ.G15.000032.85.03');
  });

  it('sanitizes document numbers with slashes and Vietnamese letters', () => {
    expect(sanitizeSegment('1958/QĐ-UBND')).toBe('1958-QD-UBND');
    expect(sanitizeSegment('273/XNTTHN')).toBe('273-XNTTHN');
    expect(sanitizeSegment(' 48/TLKT-BS. ')).toBe('48-TLKT-BS');
    expect(sanitizeSegment('1.5/đ')).toBe('1-5-D');
    const code = formatDigitizedCode(scheme, { ownerId: '034090001234', procedureCode: '1.001193', documentNumber: '1958/QĐ-UBND' }, 12);
    expect(code).toBe('034090001234.1.001193.1958-QD-UBND.12');
    expect(DIGITIZED_CODE_RE.test(code)).toBe(true);
  });

  it('falls back to the procedure code, and to the component code for dossier components', () => {
    expect(formatDigitizedCode(scheme, { ownerId: '1052773789', procedureCode: '1.001193.000.00.00.H54', componentCode: 'TP1' }, 1)).toBe(
      '1052773789.1.001193.000.00.00.H54.TP1.01',
    );
    expect(() => formatDigitizedCode(scheme, { documentNumber: '12' }, 1)).toThrow(/result-type code or a procedure code/);
    expect(() => formatDigitizedCode(scheme, { resultTypeCode: 'KQ.G15.000031' }, 1)).toThrow(/document number/);
    expect(() => formatDigitizedCode(scheme, { ownerId: '12345', resultTypeCode: 'KQ.G15.000031', documentNumber: '1' }, 1)).toThrow(/owner id/);
    expect(() => formatDigitizedCode(scheme, { resultTypeCode: 'KQ.G15.000031', documentNumber: '1' }, 100)).toThrow(/2 digits/);
  });
});

describe('counters and schemes', () => {
  it('names the counter scope of each code', () => {
    expect(counterKey({ kind: 'dossier', unitCode: '000.00.12.H54', date: AT })).toEqual({
      schemeId: 'dossier-tt01-2018',
      key: 'dossier:000.00.12.H54:230405',
      max: 9999,
    });
    expect(counterKey({ kind: 'result', dossierCode: '000.00.12.H54-230405-0007' }).key).toBe('result:000.00.12.H54-230405-0007');
    const a = counterKey({ kind: 'digitized', parts: { ownerId: '034090001234', resultTypeCode: 'KQ.G15.000031', documentNumber: '1958/QĐ-UBND' } });
    const b = counterKey({ kind: 'digitized', parts: { ownerId: '034090001234', resultTypeCode: 'KQ.G15.000031', documentNumber: '1958/QD-UBND' } });
    expect(a.key).toBe('digitized:034090001234|KQ.G15.000031|1958-QD-UBND');
    // Same sanitized segment → same counter, so the two can never get the same NN.
    expect(b.key).toBe(a.key);
    expect(a.max).toBe(99);
  });

  it('picks the scheme in force on a date, and takes new schemes as data', () => {
    expect(loadSchemes().length).toBeGreaterThanOrEqual(3);
    expect(() => schemeFor('dossier', new Date('2010-01-01T00:00:00Z'))).toThrow(/no dossier code scheme/);
    const extra = schemesFromObject({
      schemes: [
        ...loadSchemes().map((s) => ({ ...s, pattern: s.pattern.source })),
        {
          id: 'dossier-2027',
          kind: 'dossier',
          effectiveFrom: '2027-01-01',
          template: '{unit}-{date}-{serial}',
          serialDigits: 5,
          pattern: '^\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2}-\\d{6}-\\d{5}$',
          counterScope: ['unit', 'date'],
        },
      ],
    });
    const later = new Date('2027-03-01T05:00:00Z');
    expect(schemeFor('dossier', later, extra).id).toBe('dossier-2027');
    expect(schemeFor('dossier', AT, extra).id).toBe('dossier-tt01-2018');
    expect(formatDossierCode('000.00.12.H54', later, 7, schemeFor('dossier', later, extra))).toBe('000.00.12.H54-270301-00007');
  });
});
