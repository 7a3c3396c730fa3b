// The plan's targets as data (schemas/targets.json): by year and level for digitization, by year for
// reuse, and Decision 766's full-score thresholds. Nothing here is a number of its own.
import { readFileSync } from 'node:fs';
import type { UnitLevel } from '../../schemas/api.js';

type YearValue = number | { value: number; interpolated?: boolean };

interface TargetsFile {
  digitizedResults: Record<string, Record<UnitLevel, number>>;
  reuse: Record<string, YearValue>;
  deskProductivityPerStaffYear: { urban: number; rural: number };
  index766: { digitizationFullScoreAt: number; reuseFullScoreAt: number; digitizationMaxPoints: number };
}

const FILE = new URL('../../schemas/targets.json', import.meta.url);

export class Targets {
  private constructor(private readonly t: TargetsFile) {}

  static load(file: URL | string = FILE): Targets {
    return new Targets(JSON.parse(readFileSync(file, 'utf8')) as TargetsFile);
  }

  /** The target of the latest year given that is not after `year` (from 2026 the last one holds). */
  private pick<T>(byYear: Record<string, T>, year: number): T | null {
    const years = Object.keys(byYear).map(Number).filter((y) => Number.isInteger(y) && y <= year);
    if (years.length === 0) return null;
    return byYear[String(Math.max(...years))] ?? null;
  }

  digitization(year: number, level: UnitLevel): number | null {
    return this.pick(this.t.digitizedResults, year)?.[level] ?? null;
  }

  reuse(year: number): number | null {
    const v = this.pick(this.t.reuse, year);
    if (v === null) return null;
    return typeof v === 'number' ? v : v.value;
  }

  get index766() {
    return this.t.index766;
  }

  deskProductivity(rural: boolean): number {
    return rural ? this.t.deskProductivityPerStaffYear.rural : this.t.deskProductivityPerStaffYear.urban;
  }
}
