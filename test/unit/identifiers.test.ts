import { describe, expect, it } from 'vitest';
import { checkApplicantId, checkPersonalId, checkTaxCode, maskIdentifier, parsePersonalId } from '../../services/identifiers.js';

const NOW = new Date('2026-11-28T00:00:00Z');

describe('personal identification number', () => {
  it('splits province, century/sex and birth year', () => {
    expect(parsePersonalId('034221659693')).toEqual({ province: '034', centuryGender: 2, birthYear: 2021, gender: 'Nam' });
    expect(parsePersonalId('001189012345')).toMatchObject({ birthYear: 1989, gender: 'Nữ' });
    expect(parsePersonalId('03422165969')).toBeNull();
    expect(parsePersonalId('000221659693')).toBeNull(); // no province 000
  });

  it('checks birth year and gender when the paper shows them', () => {
    expect(checkPersonalId('034221659693', { birthYear: 2021, gender: 'Nam' }, NOW).ok).toBe(true);
    expect(checkPersonalId('034221659693', { birthYear: 2020 }, NOW).reason).toMatch(/birth year/);
    expect(checkPersonalId('034221659693', { gender: 'Nữ' }, NOW).reason).toMatch(/gender/);
    expect(checkPersonalId('034299659693', {}, NOW).reason).toMatch(/future/);
    expect(checkPersonalId('034421659693', {}, NOW).ok).toBe(false); // born 2121
  });
});

describe('tax code', () => {
  it('verifies the check digit', () => {
    expect(checkTaxCode('0100109106').ok).toBe(true);
    expect(checkTaxCode('0100109107').ok).toBe(false);
    expect(checkTaxCode('0100109106-001').ok).toBe(true);
    expect(checkTaxCode('0100109106001').ok).toBe(true);
    expect(checkTaxCode('0100109106-000').ok).toBe(false);
    expect(checkTaxCode('01001091').ok).toBe(false);
  });
});

describe('applicant id', () => {
  it('accepts a personal id or a tax code and nothing else', () => {
    expect(checkApplicantId('034221659693', NOW)).toMatchObject({ ok: true, kind: 'personal-id' });
    expect(checkApplicantId('0100109106', NOW)).toMatchObject({ ok: true, kind: 'tax-code' });
    expect(checkApplicantId('abc', NOW).ok).toBe(false);
  });

  it('masks ids for logs', () => {
    expect(maskIdentifier('034221659693')).toBe('034*******93');
  });
});
