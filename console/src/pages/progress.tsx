// Progress for leaders: each unit against its targets, the unit furthest behind first, by level and
// period; a bar chart of the rates with the target line (Chart.js); the report as CSV or XLSX.
import { useEffect, useRef, useState } from 'preact/hooks';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { download, get } from '../api';
import { percent, tr } from '../i18n';
import type { ProgressItem, ProgressReply } from '../types';
import { ErrorNote, Field, unitName, useSession } from '../ui';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

const LEVELS = [
  { value: '', vi: 'Mọi cấp', en: 'All levels' },
  { value: 'province', vi: 'Cấp tỉnh', en: 'Province' },
  { value: 'department', vi: 'Sở, ngành', en: 'Department' },
  { value: 'district', vi: 'Cấp huyện', en: 'District' },
  { value: 'commune', vi: 'Cấp xã', en: 'Commune' },
];
const PERIOD_RE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|-Q[1-4])?$/;

/**
 * How far a unit is behind: the larger shortfall of its two rates under the target to date, so a small
 * commune and a large department compare on the same scale (ahead counts as negative).
 */
function behind(i: ProgressItem): number {
  const t = i.targetToDate ?? i.target;
  const short = [
    t.digitization === null ? null : t.digitization - (i.digitizationRate ?? 0),
    t.reuse === null ? null : t.reuse - (i.reuseRate ?? 0),
  ].filter((x): x is number => x !== null);
  return short.length ? Math.max(...short) : -(i.digitizationRate ?? 0);
}

const label = (s: ReturnType<typeof useSession>, i: ProgressItem) => (i.unitCode ? unitName(s, i.unitCode) : i.name);

/**
 * A unit's target as a level line across that unit's bars: a thin floating bar, not grouped with the
 * rates, so each unit (whose level may have its own target) shows its own line.
 */
const targetMarks = (label: string, values: (number | null)[], color: string) => ({
  type: 'bar' as const,
  label,
  data: values.map((v) => (v === null ? null : ([Math.max(0, v - 0.6), Math.min(100, v + 0.6)] as [number, number]))),
  backgroundColor: color,
  grouped: false,
  barPercentage: 1,
  categoryPercentage: 0.9,
  order: 0,
});

function RateChart({ items }: { items: ProgressItem[] }) {
  const session = useSession();
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const labels = items.map((i) => label(session, i));
    const pct = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 10);
    const chart = new Chart<"bar", (number | [number, number] | null)[], string>(canvas.current, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { type: 'bar', label: tr('Tỷ lệ số hóa (%)', 'Digitization rate (%)'), data: items.map((i) => pct(i.digitizationRate)), backgroundColor: '#1f6feb', order: 1 },
          { type: 'bar', label: tr('Tỷ lệ tái sử dụng (%)', 'Reuse rate (%)'), data: items.map((i) => pct(i.reuseRate)), backgroundColor: '#2da44e', order: 1 },
          targetMarks(tr('Chỉ tiêu số hóa (%)', 'Digitization target (%)'), items.map((i) => pct(i.target.digitization)), '#cf222e'),
          targetMarks(tr('Chỉ tiêu tái sử dụng (%)', 'Reuse target (%)'), items.map((i) => pct(i.target.reuse)), '#7d4e00'),
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, max: 100 } },
        plugins: {
          legend: { position: 'bottom' },
          tooltip: {
            callbacks: {
              // A target mark is a [low, high] bar around the target: say the target itself.
              label: (c) => {
                const v = c.raw;
                return `${c.dataset.label ?? ''}: ${Array.isArray(v) ? ((Number(v[0]) + Number(v[1])) / 2).toFixed(1) : String(v)}`;
              },
            },
          },
        },
      },
    });
    return () => chart.destroy();
  }, [items]);
  return (
    <div class="chart">
      <canvas ref={canvas} role="img" aria-label={tr('Biểu đồ tỷ lệ số hóa và tái sử dụng so với chỉ tiêu; số liệu trong bảng dưới', 'Chart of digitization and reuse rates against the targets; the figures are in the table below')} />
    </div>
  );
}

export function ProgressPage() {
  const session = useSession();
  const [period, setPeriod] = useState(String(new Date().getFullYear()));
  const [level, setLevel] = useState('');
  const [byLevel, setByLevel] = useState(false);
  const [data, setData] = useState<ProgressReply | null>(null);
  const [error, setError] = useState<unknown>(null);
  const periodOk = PERIOD_RE.test(period.trim());
  const query = () => {
    const q = new URLSearchParams({ period: period.trim() });
    if (byLevel) q.set('groupBy', 'level');
    return q.toString();
  };
  const load = () => {
    if (!periodOk) return;
    setError(null);
    get<ProgressReply>(`/v1/progress?${query()}`).then(setData, setError);
  };
  useEffect(load, [byLevel]);
  const items = (data?.items ?? []).filter((i) => !level || i.level === level).sort((a, b) => behind(b) - behind(a));
  const fetchFile = (ext: 'csv' | 'xlsx') => download(`/v1/progress.${ext}?${query()}`, `tien-do-${period.trim()}.${ext}`).catch(setError);

  return (
    <div class="page progress">
      <h1>{tr('Tiến độ số hóa và tái sử dụng', 'Digitization and reuse progress')}</h1>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <Field id="period" label={tr('Kỳ báo cáo', 'Period')} error={periodOk ? null : tr('YYYY, YYYY-MM, YYYY-Qn hoặc YYYY-MM-DD', 'YYYY, YYYY-MM, YYYY-Qn or YYYY-MM-DD')} hint={tr('Năm, tháng, quý hoặc ngày: 2026, 2026-05, 2026-Q2', 'Year, month, quarter or day: 2026, 2026-05, 2026-Q2')}>
          <input id="period" value={period} aria-describedby="period-msg" aria-invalid={periodOk ? undefined : 'true'} onInput={(e) => setPeriod(e.currentTarget.value)} />
        </Field>
        <Field id="level" label={tr('Cấp đơn vị', 'Unit level')}>
          <select id="level" value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            {LEVELS.map((l) => (
              <option key={l.value} value={l.value}>
                {tr(l.vi, l.en)}
              </option>
            ))}
          </select>
        </Field>
        <div class="field check">
          <input id="by-level" type="checkbox" checked={byLevel} onChange={(e) => setByLevel(e.currentTarget.checked)} />
          <label for="by-level">{tr('Gộp theo cấp', 'Totals by level')}</label>
        </div>
        <div class="actions">
          <button type="submit" disabled={!periodOk}>
            {tr('Xem', 'Show')}
          </button>
          <button type="button" onClick={() => void fetchFile('csv')} disabled={!periodOk}>
            {tr('Tải CSV', 'Download CSV')}
          </button>
          <button type="button" onClick={() => void fetchFile('xlsx')} disabled={!periodOk}>
            {tr('Tải XLSX', 'Download XLSX')}
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      {data ? (
        <>
          <p class="muted" role="status">
            {tr('Kỳ', 'Period')} {data.period} · {items.length} {tr('đơn vị', 'units')}
          </p>
          {items.length ? <RateChart items={items} /> : null}
          <table class="numbers">
            <caption>{tr('Đơn vị chậm nhất so với chỉ tiêu ở trên cùng', 'Units furthest behind their targets first')}</caption>
            <thead>
              <tr>
                <th scope="col">{tr('Đơn vị', 'Unit')}</th>
                <th scope="col">{tr('Hồ sơ nhận', 'Received')}</th>
                <th scope="col">{tr('Đã số hóa', 'Digitized')}</th>
                <th scope="col">{tr('Tỷ lệ số hóa', 'Digitization')}</th>
                <th scope="col">{tr('Chỉ tiêu năm', "Year's target")}</th>
                <th scope="col">{tr('Còn thiếu (hồ sơ)', 'Short by (dossiers)')}</th>
                <th scope="col">{tr('Tỷ lệ tái sử dụng', 'Reuse')}</th>
                <th scope="col">{tr('Chỉ tiêu', 'Target')}</th>
                <th scope="col">{tr('Kết quả số hóa', 'Results digitized')}</th>
                <th scope="col">{tr('Đạt', 'On track')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.unitCode ?? i.name} class={i.onTrack === false ? 'behind' : undefined}>
                  <th scope="row">{label(session, i)}</th>
                  <td>{i.dossiersReceived}</td>
                  <td>{i.dossiersDigitized}</td>
                  <td>{percent(i.digitizationRate)}</td>
                  <td>{percent(i.target.digitization)}</td>
                  <td>{i.gap.digitization ?? '—'}</td>
                  <td>{percent(i.reuseRate)}</td>
                  <td>{percent(i.target.reuse)}</td>
                  <td>{percent(i.resultDigitizationRate)}</td>
                  <td>{i.onTrack === null ? '—' : i.onTrack ? tr('Đạt', 'Yes') : tr('Chưa đạt', 'Behind')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
