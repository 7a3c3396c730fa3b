// Periods on the Vietnam calendar, targets picked from the data, and the judgement against them.
import { describe, expect, it } from 'vitest';
import { parsePeriod, vnDay } from '../../services/progress/period.js';
import { Targets } from '../../services/progress/targets.js';
import { figures, judge, needed, emptyCounts } from '../../services/progress/measures.js';

const targets = Targets.load();

describe('periods', () => {
  it('bounds each kind of period by Vietnam midnights', () => {
    const q = parsePeriod('2025-Q3');
    expect([q.firstDay, q.lastDay, q.grain]).toEqual(['2025-07-01', '2025-09-30', 'm']);
    expect(q.start.toISOString()).toBe('2025-06-30T17:00:00.000Z');
    expect(q.end.toISOString()).toBe('2025-09-30T17:00:00.000Z');
    expect(parsePeriod('2024-02').lastDay).toBe('2024-02-29');
    const d = parsePeriod('2026-10-31');
    expect([d.grain, d.end.toISOString()]).toEqual(['d', '2026-10-31T17:00:00.000Z']);
    expect(vnDay(new Date('2026-10-31T17:10:00Z'))).toBe('2026-11-01');
    expect(parsePeriod(undefined, new Date('2026-12-31T18:00:00Z')).label).toBe('2027');
  });

  it('refuses what is not a period, naming the field', () => {
    for (const bad of ['2026-13', '2026-Q5', '2026-02-30', '26', '2026-1']) {
      expect(() => parsePeriod(bad)).toThrowError(expect.objectContaining({ code: 'VALIDATION_FAILED', field: 'period' }));
    }
  });
});

describe('targets and judgement', () => {
  it('takes the latest year given, by level; none before the plan', () => {
    expect(targets.digitization(2022, 'commune')).toBe(0.35);
    expect(targets.digitization(2030, 'district')).toBe(1);
    expect(targets.digitization(2020, 'province')).toBeNull();
    expect(targets.reuse(2023)).toBe(0.47);
    expect(targets.reuse(2021)).toBeNull();
  });

  it('counts the gap in whole dossiers without floating-point surprises', () => {
    expect(needed(0.35, 7, 20)).toBe(0);
    expect(needed(0.35, 6, 20)).toBe(1);
    expect(needed(0.8, 0, 0)).toBe(0);
    expect(needed(null, 1, 2)).toBeNull();
  });

  it('holds rates to the target pro rata through the year and scores 766 below the threshold', () => {
    const c = emptyCounts();
    c.received = 20;
    c.byChannel.desk = 20;
    c.digitized = 12;
    c.withReuse = 8;
    const f = figures(c);
    // Mid-2024 for a commune: from 0.55 (2023) to 0.75 (2024) → 0.65; reuse 0.47 → 0.63 → 0.55.
    const j = judge(f, 'commune', 2024, 0.5, targets);
    expect(j.targetToDate.digitization).toBeCloseTo(0.65, 12);
    expect(j.targetToDate.reuse).toBeCloseTo(0.55, 12);
    expect(j.onTrack).toBe(false); // 0.6 < 0.65
    expect(j.gap).toEqual({ digitization: 3, reuse: 5, results: 0 });
    expect(j.score766.digitization).toBeCloseTo(0.75, 12);
    expect(j.score766.points).toBeCloseTo(16.5, 12);
    expect(judge(f, 'commune', 2024, 0.2, targets).onTrack).toBe(false); // 0.6 ≥ 0.59, but 0.4 < 0.502
    expect(judge(figures({ ...c, withReuse: 11 }), 'commune', 2024, 0.2, targets).onTrack).toBe(true);
    expect(judge(figures(emptyCounts()), 'commune', 2024, 0.5, targets).onTrack).toBeNull();
  });
});
