// Validity of results for reuse, from the catalog's data: {months, from}, {untilField}, or no expiry;
// revoked and superseded results and unfinished papers are never reusable.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../services/classify/index.js';
import { lastDayAfterMonths, paperDate, validityOf, vietnamDay } from '../../services/validity.js';

const catalog = loadCatalog();
const type = (slug: string) => catalog.types.find((t) => t.slug === slug);
const done = (fields: Record<string, string>) => ({ status: 'done', fields, revokedAt: null, supersededBy: null });

describe('validity', () => {
  it('comes from the catalog data', () => {
    expect(type('giay-xac-nhan-tinh-trang-hon-nhan')?.validity).toMatchObject({ months: 6, from: 'issueDate' });
    expect(type('can-cuoc-cong-dan')?.validity).toMatchObject({ untilField: 'expiryDate' });
    expect(type('giay-khai-sinh')?.validity?.months).toBeUndefined();
  });

  it('counts months from the issue date (a marital-status confirmation: 6 months)', () => {
    const t = type('giay-xac-nhan-tinh-trang-hon-nhan');
    const paper = done({ issueDate: '17/10/2024' });
    expect(validityOf(paper, t, '2025-04-16')).toMatchObject({ validUntil: '2025-04-16', reusable: true, notReusableReason: null });
    expect(validityOf(paper, t, '2025-04-17')).toMatchObject({ reusable: false, notReusableReason: 'EXPIRED' });
    expect(lastDayAfterMonths('2024-08-31', 6)).toBe('2025-02-27');
  });

  it('uses the date printed on the paper (an identity card)', () => {
    const t = type('can-cuoc-cong-dan');
    expect(validityOf(done({ expiryDate: '01/10/2035' }), t, '2035-10-01')).toMatchObject({ validUntil: '2035-10-01', reusable: true });
    expect(validityOf(done({ expiryDate: '01/10/2015' }), t, '2026-01-01').notReusableReason).toBe('EXPIRED');
    // No readable date: the validity cannot be confirmed, so it is not reused.
    expect(validityOf(done({}), t, '2026-01-01')).toMatchObject({ reusable: false, notReusableReason: 'EXPIRED', note: expect.stringContaining('expiryDate') });
  });

  it('never expires a birth certificate, but revocation, supersession and unfinished papers stop reuse', () => {
    const t = type('giay-khai-sinh');
    expect(validityOf(done({ issueDate: '07/03/1952' }), t, '2026-01-01')).toMatchObject({ validUntil: null, reusable: true });
    expect(validityOf({ ...done({}), revokedAt: '2026-01-01T00:00:00Z' }, t).notReusableReason).toBe('REVOKED');
    expect(validityOf({ ...done({}), revokedAt: '2026-01-01T00:00:00Z', supersededBy: 'x' }, t).notReusableReason).toBe('SUPERSEDED');
    expect(validityOf({ ...done({}), status: 'review' }, t).notReusableReason).toBe('NOT_DONE');
  });

  it('reads printed dates strictly and counts days in Vietnam', () => {
    expect(paperDate('7/3/2022')).toBe('2022-03-07');
    expect(paperDate('31/02/2022')).toBeNull();
    expect(paperDate('2022-03-07')).toBeNull();
    expect(vietnamDay(new Date('2026-12-02T18:00:00Z'))).toBe('2026-12-03');
  });
});
