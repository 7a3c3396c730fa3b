// The figures of one unit or level from its counts, and how they stand against the plan's targets and
// Decision 766's scoring. Pure: the report, the exports and the tests share it.
import type { Channel, UnitLevel } from '../../schemas/api.js';
import type { Targets } from './targets.js';

export interface Counts {
  received: number;
  byChannel: Record<Channel, number>;
  digitized: number;
  withReuse: number;
  resultsIssued: number;
  resultsDigitized: number;
}

export const emptyCounts = (): Counts => ({
  received: 0,
  byChannel: { desk: 0, postal: 0, online: 0, backlog: 0 },
  digitized: 0,
  withReuse: 0,
  resultsIssued: 0,
  resultsDigitized: 0,
});

export function addCounts(into: Counts, c: Counts): void {
  into.received += c.received;
  for (const k of Object.keys(into.byChannel) as Channel[]) into.byChannel[k] += c.byChannel[k];
  into.digitized += c.digitized;
  into.withReuse += c.withReuse;
  into.resultsIssued += c.resultsIssued;
  into.resultsDigitized += c.resultsDigitized;
}

/** A share, or null when there is nothing to share (never 0/0 = 0). */
export const rate = (n: number, d: number): number | null => (d === 0 ? null : n / d);

export interface Figures {
  dossiersReceived: number;
  byChannel: Record<Channel, number>;
  onlineShare: number | null;
  dossiersDigitized: number;
  digitizationRate: number | null;
  dossiersWithReuse: number;
  reuseRate: number | null;
  resultsIssued: number;
  resultsDigitized: number;
  resultDigitizationRate: number | null;
}

export function figures(c: Counts): Figures {
  return {
    dossiersReceived: c.received,
    byChannel: { ...c.byChannel },
    onlineShare: rate(c.byChannel.online, c.received),
    dossiersDigitized: c.digitized,
    digitizationRate: rate(c.digitized, c.received),
    dossiersWithReuse: c.withReuse,
    reuseRate: rate(c.withReuse, c.received),
    resultsIssued: c.resultsIssued,
    resultsDigitized: c.resultsDigitized,
    resultDigitizationRate: rate(c.resultsDigitized, c.resultsIssued),
  };
}

export interface Judgement {
  target: { digitization: number | null; reuse: number | null };
  targetToDate: { digitization: number | null; reuse: number | null };
  onTrack: boolean | null;
  gap: { digitization: number | null; reuse: number | null; results: number | null };
  score766: { digitization: number | null; reuse: number | null; points: number | null; maxPoints: number };
}

// Shares are fractions of whole dossiers: 0.35 × 20 must be 7, not 7.000000000000001.
const EPS = 1e-9;

/** How many more of `total` must be counted for `done / total` to reach `target`. */
export function needed(target: number | null, done: number, total: number): number | null {
  if (target === null) return null;
  return Math.max(0, Math.ceil(target * total - done - EPS));
}

/**
 * `yearFraction`: how much of the target year had passed at the report's moment (the end of the
 * period, or the moment asked for when that is earlier). The target to date runs from last year's
 * target (0 before the first) to this year's, pro rata.
 */
export function judge(f: Figures, level: UnitLevel, year: number, yearFraction: number, targets: Targets): Judgement {
  const tDig = targets.digitization(year, level);
  const tReu = targets.reuse(year);
  const toDate = (t: number | null, prev: number | null) => (t === null ? null : (prev ?? 0) + (t - (prev ?? 0)) * yearFraction);
  const dDig = toDate(tDig, targets.digitization(year - 1, level));
  const dReu = toDate(tReu, targets.reuse(year - 1));
  const checks: boolean[] = [];
  if (dDig !== null && f.digitizationRate !== null) checks.push(f.digitizationRate + EPS >= dDig);
  if (dReu !== null && f.reuseRate !== null) checks.push(f.reuseRate + EPS >= dReu);
  const idx = targets.index766;
  const share = (r: number | null, at: number) => (r === null ? null : Math.min(1, r / at));
  const sDig = share(f.digitizationRate, idx.digitizationFullScoreAt);
  return {
    target: { digitization: tDig, reuse: tReu },
    targetToDate: { digitization: dDig, reuse: dReu },
    onTrack: checks.length === 0 ? null : checks.every(Boolean),
    gap: {
      digitization: needed(tDig, f.dossiersDigitized, f.dossiersReceived),
      reuse: needed(tReu, f.dossiersWithReuse, f.dossiersReceived),
      results: needed(tDig, f.resultsDigitized, f.resultsIssued),
    },
    score766: {
      digitization: sDig,
      reuse: share(f.reuseRate, idx.reuseFullScoreAt),
      points: sDig === null ? null : sDig * idx.digitizationMaxPoints,
      maxPoints: idx.digitizationMaxPoints,
    },
  };
}
