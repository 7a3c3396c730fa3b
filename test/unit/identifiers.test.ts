import { describe, expect, it } from 'vitest';
import { canonicalId, checkApplicantId, checkPersonalId, checkTaxCode, maskIdentifier, parsePersonalId } from '../../services/identifiers.js';

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
    expect(checkPersonalId('034221659693', { gender: 'Nữ' }, NOW).reason).toMatch(/sex in the id \(Nam\)/);
    expect(checkPersonalId('034299659693', {}, NOW).reason).toMatch(/future/);
    expect(checkPersonalId('034421659693', {}, NOW).ok).toBe(false); // born 2121
  });

  it('says what is wrong in both languages: an unknown province is named as such', () => {
    const unknown = checkPersonalId('099221659693', {}, NOW);
    expect(unknown.ok).toBe(false);
    expect(unknown.problem?.en).toMatch(/first 3 digits 099 are not a birth-registration province code/);
    expect(unknown.problem?.vi).toMatch(/099 không phải mã tỉnh/);
    expect(checkPersonalId('03422165969', {}, NOW).problem?.en).toMatch(/12 digits; this one has 11/);
    expect(checkApplicantId('12345', NOW).problem?.vi).toMatch(/có 5 chữ số/);
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

  it('spells a branch tax code one way, with its dash, as codes write it', () => {
    expect(canonicalId('0100109106001')).toBe('0100109106-001');
    expect(canonicalId(' 0100109106-001 ')).toBe('0100109106-001');
    expect(canonicalId('034221659693')).toBe('034221659693');
  });

  it('masks ids for logs', () => {
    expect(maskIdentifier('034221659693')).toBe('034*******93');
  });
});
