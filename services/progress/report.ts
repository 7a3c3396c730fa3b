// GET /v1/progress: which units a key may see, whose history goes where (a closed unit's to its
// successor), the counts for the period (from the kept summaries, or counted afresh as they stood at
// `asOf`), and the figures per unit or per level with their targets.
import type { AppContext } from '../context.js';
import type { AccessControl, Principal } from '../access.js';
import type { Channel, Unit, UnitLevel } from '../../schemas/api.js';
import { UNIT_LEVELS } from '../../schemas/api.js';
import * as repo from '../../storage/catalog/progress.js';
import { recordAudit } from '../../storage/catalog/audit.js';
import { withTransaction } from '../../storage/db.js';
import { AppError, bi } from '../errors.js';
import { parsePeriod, vnStart } from './period.js';
import { Targets } from './targets.js';
import { addCounts, emptyCounts, figures, judge, type Counts, type Figures, type Judgement } from './measures.js';

export interface ProgressQuery {
  unitCode?: string;
  period?: string;
  groupBy?: 'unit' | 'level';
  asOf?: string;
  include?: 'operations';
}

export interface Operations {
  processing: { documents: number; p50Seconds: number | null; p95Seconds: number | null };
  review: { waiting: number; oldestSeconds: number | null };
  failures: Record<string, number>;
  deskProductivity: { deskKeys: number; dossiers: number; perKeyPerYear: number | null; target: number | null };
}

export interface Backlog {
  resultsDigitized: number;
  estimate: number | null;
  rate: number | null;
  /** Why there is no rate: NO_ESTIMATE (no estimate set) or ZERO_ESTIMATE. */
  reason: 'NO_ESTIMATE' | 'ZERO_ESTIMATE' | null;
}

export type ProgressItem = {
  unitCode: string | null;
  name: string;
  level: UnitLevel;
  /** Closed units whose history this unit carries (unit items). */
  includes?: string[];
  backlog: Backlog;
  /** The unit with everything below it (unit items). */
  rollup?: Figures;
  operations?: Operations;
} & Figures & Judgement;

export interface ProgressReport {
  period: string;
  from: string;
  to: string;
  asOf: string;
  groupBy: 'unit' | 'level';
  unitCode: string | null;
  /** How far through the target year the report's moment is (pro rata of onTrack). */
  yearFraction: number;
  source: 'summary' | 'recount';
  items: ProgressItem[];
  total: Figures & { backlog: Backlog };
}

export const LEVEL_NAMES: Record<UnitLevel, string> = {
  province: 'Cấp tỉnh',
  department: 'Cấp sở, ban, ngành',
  district: 'Cấp huyện',
  commune: 'Cấp xã',
};

const ASOF_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

function parseAsOf(value: string | undefined, now: Date): Date {
  if (value === undefined) return now;
  const t = ASOF_RE.test(value) ? new Date(value.length === 10 ? `${value}T23:59:59.999+07:00` : value) : new Date(NaN);
  if (Number.isNaN(t.getTime())) {
    throw new AppError(
      'VALIDATION_FAILED',
      bi(`asOf: "${value}" không phải một thời điểm; cần YYYY-MM-DD (cuối ngày, giờ Việt Nam) hoặc ISO 8601 có múi giờ`, `asOf: "${value}" is not a moment; expected YYYY-MM-DD (end of that Vietnam day) or ISO 8601 with a zone`),
      { field: 'asOf' },
    );
  }
  return t.getTime() > now.getTime() ? now : t;
}

export class ProgressService {
  readonly targets: Targets;

  constructor(
    private readonly ctx: AppContext,
    private readonly access: AccessControl,
    targets?: Targets,
  ) {
    this.targets = targets ?? Targets.load();
  }

  /** Leader keys see their subtree; desk and archive keys their own units; admin keys theirs (or all). */
  private scope(p: Principal): Set<string> | null {
    this.access.require(p, 'progress');
    if (p.unitCode === null) return null;
    if (p.role === 'leader') return new Set(this.ctx.units.subtree(p.unitCode));
    return new Set(this.access.scope(p) ?? []);
  }

  async report(p: Principal, q: ProgressQuery, now = new Date()): Promise<ProgressReport> {
    const scope = this.scope(p);
    const period = parsePeriod(q.period, now);
    const asOf = parseAsOf(q.asOf, now);
    const groupBy = q.groupBy ?? 'unit';
    const units = this.ctx.units.all();
    const byCode = new Map(units.map((u) => [u.code, u]));

    // Whose history goes where: a unit handed over to a successor reports under the last successor.
    const last = (u: Unit): string => {
      let cur = u;
      for (let i = 0; i < 20 && cur.successorCode && byCode.has(cur.successorCode); i++) cur = byCode.get(cur.successorCode)!;
      return cur.code;
    };
    const heir = new Map(units.map((u) => [u.code, last(u)]));
    const visible = units.filter((u) => scope === null || scope.has(u.code) || scope.has(heir.get(u.code)!));
    // A unit reports under its heir when the key sees the heir; else on its own.
    const group = (code: string) => {
      const h = heir.get(code)!;
      return scope === null || scope.has(h) ? h : code;
    };

    let selected = visible;
    let root: string | null = null;
    if (q.unitCode !== undefined) {
      const u = byCode.get(q.unitCode);
      if (!u) throw new AppError('UNIT_UNKNOWN', bi(`unitCode: ${q.unitCode} không có trong danh mục đơn vị`, `unitCode: ${q.unitCode} is not in the unit registry`), { field: 'unitCode' });
      if (!visible.some((v) => v.code === u.code)) {
        throw new AppError('FORBIDDEN', bi(`đơn vị ${u.code} nằm ngoài phạm vi của khóa này`, `unit ${u.code} is outside this key's units`), { field: 'unitCode' });
      }
      root = group(u.code);
      const r = root;
      const within = (c: string) => this.ctx.units.isWithin(c, r);
      selected = visible.filter((v) => within(v.code) || within(group(v.code)));
    }
    const selectedCodes = selected.map((u) => u.code);
    const all = scope === null && root === null;

    const current = asOf.getTime() >= now.getTime();
    const only = all ? null : selectedCodes;
    const [rows, backlogDone, estimates] = await Promise.all([
      current
        ? repo.summaryCounts(this.ctx.db, period.grain, period.firstDay, period.lastDay, only)
        : repo.countsAsOf(this.ctx.db, period.start, period.end, asOf, only),
      current ? repo.backlogDigitized(this.ctx.db, only) : repo.backlogDigitizedAsOf(this.ctx.db, asOf, only),
      repo.backlogEstimates(this.ctx.db),
    ]);

    const groups = new Map<string, { unit: Unit; counts: Counts; members: string[] }>();
    for (const u of selected) {
      const g = group(u.code);
      const gu = byCode.get(g)!;
      const entry = groups.get(g) ?? { unit: gu, counts: emptyCounts(), members: [] };
      entry.members.push(u.code);
      groups.set(g, entry);
    }
    const selectedSet = new Set(selectedCodes);
    for (const r of rows) {
      if (!selectedSet.has(r.unitCode)) continue;
      const entry = groups.get(group(r.unitCode));
      if (!entry) continue;
      addCounts(entry.counts, toCounts(r.channel, r));
    }

    const yearStart = vnStart(`${period.year}-01-01`).getTime();
    const yearEnd = vnStart(`${period.year + 1}-01-01`).getTime();
    const ref = Math.min(asOf.getTime(), period.end.getTime());
    const yearFraction = Math.min(1, Math.max(0, (ref - yearStart) / (yearEnd - yearStart)));

    const backlogOf = (members: string[]): Backlog => {
      const done = members.reduce((s, m) => s + (backlogDone.get(m) ?? 0), 0);
      const known = members.filter((m) => estimates.has(m));
      const estimate = known.length === 0 ? null : known.reduce((s, m) => s + estimates.get(m)!, 0);
      return {
        resultsDigitized: done,
        estimate,
        rate: estimate === null || estimate === 0 ? null : done / estimate,
        reason: estimate === null ? 'NO_ESTIMATE' : estimate === 0 ? 'ZERO_ESTIMATE' : null,
      };
    };

    const item = (unitCode: string | null, name: string, level: UnitLevel, c: Counts, members: string[]): ProgressItem => {
      const f = figures(c);
      return { unitCode, name, level, ...f, ...judge(f, level, period.year, yearFraction, this.targets), backlog: backlogOf(members) };
    };

    const ordered = [...groups.values()].sort(
      (a, b) => UNIT_LEVELS.indexOf(a.unit.level) - UNIT_LEVELS.indexOf(b.unit.level) || a.unit.code.localeCompare(b.unit.code),
    );
    let items: ProgressItem[];
    if (groupBy === 'level') {
      items = [];
      for (const level of UNIT_LEVELS) {
        const of = ordered.filter((g) => g.unit.level === level);
        if (of.length === 0) continue;
        const c = emptyCounts();
        for (const g of of) addCounts(c, g.counts);
        items.push(item(null, LEVEL_NAMES[level], level, c, of.flatMap((g) => g.members)));
      }
    } else {
      // Roll-ups: each group's counts go to itself and every group above it (parents taken through heirs).
      const rollups = new Map([...groups.keys()].map((k) => [k, emptyCounts()]));
      for (const [code, g] of groups) {
        const seen = new Set<string>();
        for (let c: string | null = code; c && !seen.has(c); ) {
          seen.add(c);
          const r = rollups.get(c);
          if (r) addCounts(r, g.counts);
          const parent: string | null = byCode.get(c)?.parentCode ?? null;
          c = parent === null ? null : group(parent);
        }
      }
      items = ordered.map((g) => {
        const it = item(g.unit.code, g.unit.name, g.unit.level, g.counts, g.members);
        const includes = g.members.filter((m) => m !== g.unit.code && heir.get(m) === g.unit.code);
        if (includes.length > 0) it.includes = includes.sort();
        it.rollup = figures(rollups.get(g.unit.code)!);
        return it;
      });
    }
    const total = emptyCounts();
    for (const g of groups.values()) addCounts(total, g.counts);

    if (q.include === 'operations') {
      const groupOf = new Map<string, string>();
      for (const [code, g] of groups) for (const m of g.members) groupOf.set(m, groupBy === 'level' ? g.unit.level : code);
      const ops = await repo.operations(this.ctx.db, period.start, period.end, asOf, groupOf);
      const elapsed = Math.min(asOf.getTime(), period.end.getTime()) - period.start.getTime();
      const YEAR_MS = 365.25 * 86400_000;
      for (const it of items) {
        const key = groupBy === 'level' ? it.level : it.unitCode!;
        const o = ops.get(key);
        const keys = o?.deskKeys ?? 0;
        const dossiers = o?.deskDossiers ?? 0;
        const unit = it.unitCode ? byCode.get(it.unitCode) : undefined;
        it.operations = {
          processing: { documents: o?.processed ?? 0, p50Seconds: o?.p50Seconds ?? null, p95Seconds: o?.p95Seconds ?? null },
          review: { waiting: o?.inReview ?? 0, oldestSeconds: o?.oldestReviewSeconds ?? null },
          failures: o?.failures ?? {},
          deskProductivity: {
            deskKeys: keys,
            dossiers,
            perKeyPerYear: keys === 0 || elapsed <= 0 ? null : (dossiers / keys) * (YEAR_MS / elapsed),
            target: unit ? this.targets.deskProductivity(unit.rural) : null,
          },
        };
      }
    }

    return {
      period: period.label,
      from: period.firstDay,
      to: period.lastDay,
      asOf: asOf.toISOString(),
      groupBy,
      unitCode: root,
      yearFraction,
      source: current ? 'summary' : 'recount',
      items,
      total: { ...figures(total), backlog: backlogOf(selectedCodes) },
    };
  }

  /** An admin of the unit sets (or with null removes) how many still-valid old results it holds; audited. */
  async setBacklogEstimate(p: Principal, unitCode: string, estimate: number | null): Promise<{ unitCode: string; estimate: number | null }> {
    this.access.require(p, 'admin');
    if (!this.ctx.units.get(unitCode) || !this.access.canSeeUnit(p, unitCode)) {
      throw new AppError('NOT_FOUND', bi(`không có đơn vị ${unitCode}`, `no unit ${unitCode}`));
    }
    await withTransaction(this.ctx.db, async (tx) => {
      await repo.setBacklogEstimate(tx, unitCode, estimate, p.actor);
      await recordAudit(tx, { actor: p.actor, actorRole: p.role, action: 'unit.backlog-estimate', targetType: 'unit', targetId: unitCode, unitCode, detail: { estimate } });
    });
    return { unitCode, estimate };
  }
}

function toCounts(channel: Channel, r: repo.ChannelCounts): Counts {
  const c = emptyCounts();
  c.received = r.received;
  c.byChannel[channel] = r.received;
  c.digitized = r.digitized;
  c.withReuse = r.withReuse;
  c.resultsIssued = r.resultsIssued;
  c.resultsDigitized = r.resultsDigitized;
  return c;
}

