// The report as CSV (UTF-8 with BOM, Vietnamese headers, so Excel opens it right) and as XLSX (one
// sheet per level, rates as percentages). One list of columns serves both, so they cannot disagree.
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { UNIT_LEVELS } from '../../schemas/api.js';
import { LEVEL_NAMES, type ProgressItem, type ProgressReport } from './report.js';

type Kind = 'text' | 'count' | 'rate' | 'points';

export interface Column {
  key: string;
  header: string;
  kind: Kind;
  get(item: ProgressItem, report: ProgressReport): string | number | null;
}

const yesNo = (b: boolean | null) => (b === null ? null : b ? 'có' : 'không');

export const COLUMNS: Column[] = [
  { key: 'period', header: 'Kỳ báo cáo', kind: 'text', get: (_i, r) => r.period },
  { key: 'unitCode', header: 'Mã đơn vị', kind: 'text', get: (i) => i.unitCode },
  { key: 'name', header: 'Tên đơn vị', kind: 'text', get: (i) => i.name },
  { key: 'level', header: 'Cấp', kind: 'text', get: (i) => i.level },
  { key: 'dossiersReceived', header: 'Hồ sơ tiếp nhận', kind: 'count', get: (i) => i.dossiersReceived },
  { key: 'desk', header: 'Trực tiếp', kind: 'count', get: (i) => i.byChannel.desk },
  { key: 'postal', header: 'Qua bưu chính', kind: 'count', get: (i) => i.byChannel.postal },
  { key: 'online', header: 'Trực tuyến', kind: 'count', get: (i) => i.byChannel.online },
  { key: 'backlog', header: 'Số hóa hồ sơ cũ', kind: 'count', get: (i) => i.byChannel.backlog },
  { key: 'onlineShare', header: 'Tỷ lệ trực tuyến', kind: 'rate', get: (i) => i.onlineShare },
  { key: 'dossiersDigitized', header: 'Hồ sơ đã số hóa', kind: 'count', get: (i) => i.dossiersDigitized },
  { key: 'digitizationRate', header: 'Tỷ lệ số hóa hồ sơ', kind: 'rate', get: (i) => i.digitizationRate },
  { key: 'dossiersWithReuse', header: 'Hồ sơ có tái sử dụng', kind: 'count', get: (i) => i.dossiersWithReuse },
  { key: 'reuseRate', header: 'Tỷ lệ tái sử dụng', kind: 'rate', get: (i) => i.reuseRate },
  { key: 'resultsIssued', header: 'Hồ sơ có kết quả', kind: 'count', get: (i) => i.resultsIssued },
  { key: 'resultsDigitized', header: 'Kết quả đã số hóa', kind: 'count', get: (i) => i.resultsDigitized },
  { key: 'resultDigitizationRate', header: 'Tỷ lệ số hóa kết quả', kind: 'rate', get: (i) => i.resultDigitizationRate },
  { key: 'targetDigitization', header: 'Chỉ tiêu số hóa năm', kind: 'rate', get: (i) => i.target.digitization },
  { key: 'targetReuse', header: 'Chỉ tiêu tái sử dụng năm', kind: 'rate', get: (i) => i.target.reuse },
  { key: 'targetToDateDigitization', header: 'Chỉ tiêu số hóa đến kỳ', kind: 'rate', get: (i) => i.targetToDate.digitization },
  { key: 'targetToDateReuse', header: 'Chỉ tiêu tái sử dụng đến kỳ', kind: 'rate', get: (i) => i.targetToDate.reuse },
  { key: 'onTrack', header: 'Đúng tiến độ', kind: 'text', get: (i) => yesNo(i.onTrack) },
  { key: 'gapDigitization', header: 'Cần số hóa thêm (hồ sơ)', kind: 'count', get: (i) => i.gap.digitization },
  { key: 'gapReuse', header: 'Cần tái sử dụng thêm (hồ sơ)', kind: 'count', get: (i) => i.gap.reuse },
  { key: 'gapResults', header: 'Cần số hóa thêm (kết quả)', kind: 'count', get: (i) => i.gap.results },
  { key: 'score766Digitization', header: 'Điểm 766 số hóa', kind: 'points', get: (i) => i.score766.points },
  { key: 'score766MaxPoints', header: 'Điểm 766 tối đa', kind: 'points', get: (i) => i.score766.maxPoints },
  { key: 'score766Reuse', header: 'Mức điểm 766 tái sử dụng', kind: 'rate', get: (i) => i.score766.reuse },
  { key: 'backlogDigitized', header: 'Kết quả cũ đã số hóa', kind: 'count', get: (i) => i.backlog.resultsDigitized },
  { key: 'backlogEstimate', header: 'Ước tính kết quả cũ', kind: 'count', get: (i) => i.backlog.estimate },
  { key: 'backlogRate', header: 'Tỷ lệ số hóa kết quả cũ', kind: 'rate', get: (i) => i.backlog.rate },
  { key: 'backlogReason', header: 'Ghi chú kết quả cũ', kind: 'text', get: (i) => (i.backlog.reason === 'NO_ESTIMATE' ? 'chưa có ước tính' : i.backlog.reason === 'ZERO_ESTIMATE' ? 'ước tính bằng 0' : null) },
];

const BOM = '\ufeff';

/** CSV: numbers as plain decimals (rates as fractions, 0.8 = 80%), empty where there is no figure. */
export function toCsv(report: ProgressReport): string {
  const rows = report.items.map((i) => COLUMNS.map((c) => {
    const v = c.get(i, report);
    return v === null ? '' : String(v);
  }));
  return BOM + stringify([COLUMNS.map((c) => c.header), ...rows], { record_delimiter: '\r\n' });
}

const SHEET_NAMES: Record<string, string> = { summary: 'Tổng hợp' };

/** XLSX: a summary sheet by level, then one sheet per level with its units. */
export async function toXlsx(byUnit: ProgressReport, byLevel: ProgressReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Một cửa digitization';
  wb.created = new Date(byUnit.asOf);
  const sheet = (name: string, report: ProgressReport, items: ProgressItem[]) => {
    const ws = wb.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = COLUMNS.map((c) => ({
      header: c.header,
      key: c.key,
      width: c.kind === 'text' ? (c.key === 'name' ? 40 : 16) : 14,
      style: c.kind === 'rate' ? { numFmt: '0.0%' } : c.kind === 'points' ? { numFmt: '0.00' } : {},
    }));
    ws.getRow(1).font = { bold: true };
    for (const i of items) ws.addRow(Object.fromEntries(COLUMNS.map((c) => [c.key, c.get(i, report) ?? null])));
  };
  sheet(SHEET_NAMES.summary!, byLevel, byLevel.items);
  for (const level of UNIT_LEVELS) {
    const items = byUnit.items.filter((i) => i.level === level);
    if (items.length > 0) sheet(LEVEL_NAMES[level], byUnit, items);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
