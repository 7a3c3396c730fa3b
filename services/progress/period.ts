// Report periods on the Vietnam calendar (Asia/Ho_Chi_Minh, UTC+7 all year: no daylight saving).
import { AppError, bi } from '../errors.js';

const VN_OFFSET_MS = 7 * 3600_000;

export interface Period {
  /** As asked: 2025, 2025-Q3, 2025-07 or 2025-07-15. */
  label: string;
  kind: 'year' | 'quarter' | 'month' | 'day';
  /** Which summaries hold it: days ('d') or months ('m'). */
  grain: 'd' | 'm';
  firstDay: string;
  lastDay: string;
  /** The instants bounding it: [start, end). */
  start: Date;
  end: Date;
  year: number;
}

/** The Vietnam calendar day of an instant. */
export function vnDay(t: Date): string {
  return new Date(t.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/** 00:00 in Vietnam of a calendar day. */
export function vnStart(day: string): Date {
  return new Date(`${day}T00:00:00+07:00`);
}

const pad = (n: number) => String(n).padStart(2, '0');
const lastOfMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

function addDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const invalid = (value: string) =>
  new AppError(
    'VALIDATION_FAILED',
    bi(`period: "${value}" không phải một kỳ; cần YYYY, YYYY-Qn (n từ 1 đến 4), YYYY-MM hoặc YYYY-MM-DD`, `period: "${value}" is not a period; expected YYYY, YYYY-Qn (n 1 to 4), YYYY-MM or YYYY-MM-DD`),
    { field: 'period' },
  );

/** Parses a period; none given is the current Vietnam year. */
export function parsePeriod(value: string | undefined, now: Date = new Date()): Period {
  const label = value ?? vnDay(now).slice(0, 4);
  let m: RegExpExecArray | null;
  let kind: Period['kind'];
  let year: number;
  let firstDay: string;
  let lastDay: string;
  if ((m = /^(\d{4})$/.exec(label))) {
    kind = 'year';
    year = Number(m[1]);
    firstDay = `${year}-01-01`;
    lastDay = `${year}-12-31`;
  } else if ((m = /^(\d{4})-Q([1-4])$/.exec(label))) {
    kind = 'quarter';
    year = Number(m[1]);
    const q = Number(m[2]);
    firstDay = `${year}-${pad(q * 3 - 2)}-01`;
    lastDay = `${year}-${pad(q * 3)}-${lastOfMonth(year, q * 3)}`;
  } else if ((m = /^(\d{4})-(\d{2})$/.exec(label))) {
    kind = 'month';
    year = Number(m[1]);
    const month = Number(m[2]);
    if (month < 1 || month > 12) throw invalid(label);
    firstDay = `${label}-01`;
    lastDay = `${label}-${lastOfMonth(year, month)}`;
  } else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(label))) {
    kind = 'day';
    year = Number(m[1]);
    const d = new Date(`${label}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== label) throw invalid(label);
    firstDay = label;
    lastDay = label;
  } else {
    throw invalid(label);
  }
  if (year < 1990 || year > 2100) throw invalid(label);
  return { label, kind, grain: kind === 'day' ? 'd' : 'm', firstDay, lastDay, start: vnStart(firstDay), end: vnStart(addDay(lastDay)), year };
}
