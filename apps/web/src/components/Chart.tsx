// A small hand-drawn SVG chart (bar, line or scatter) for the chart a result suggests.
import { buildChartModel, type ChartModel } from '../chart.ts';
import { formatCell } from '../format.ts';
import type { ResultChart, RunResult } from '../trpc/types.ts';

const W = 640;
const H = 240;
const M = { top: 12, right: 16, bottom: 44, left: 56 };
const PW = W - M.left - M.right;
const PH = H - M.top - M.bottom;

function truncate(label: string, max: number): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

export function ResultChartView({ result, chart }: { result: RunResult; chart: ResultChart }) {
  const model = buildChartModel(result, chart);
  if (!model) return null;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`${model.kind} chart of ${model.yName} by ${model.xName}`}
      >
        <Axes model={model} />
        <Marks model={model} />
      </svg>
      <figcaption>
        {model.yName} by {model.xName}
        {model.omitted > 0 && ` · ${model.omitted} rows not plotted`}
      </figcaption>
    </figure>
  );
}

function scales(model: ChartModel) {
  const [y0, y1] = model.yDomain;
  const y = (v: number) => M.top + PH - ((v - y0) / (y1 - y0 || 1)) * PH;
  if (model.kind === 'bar') {
    const band = PW / model.points.length;
    return { y, x: (i: number) => M.left + band * i + band / 2, band };
  }
  const [x0, x1] = model.xDomain;
  return { y, x: (v: number) => M.left + ((v - x0) / (x1 - x0 || 1)) * PW, band: 0 };
}

function Axes({ model }: { model: ChartModel }) {
  const { x, y } = scales(model);
  // Labels get the room between two ticks, at roughly 6.5 px a character of 11 px text.
  const maxLabel = Math.max(3, Math.floor(PW / Math.max(1, model.xTicks.length) / 6.5));
  return (
    <g className="axes">
      {model.yTicks.map((t) => (
        <g key={t.value}>
          <line className="grid" x1={M.left} x2={M.left + PW} y1={y(t.value)} y2={y(t.value)} />
          <text className="tick" x={M.left - 6} y={y(t.value)} dy="0.32em" textAnchor="end">
            {t.label}
          </text>
        </g>
      ))}
      <line className="axis" x1={M.left} x2={M.left + PW} y1={M.top + PH} y2={M.top + PH} />
      {model.xTicks.map((t) => (
        <text
          key={`${t.value}:${t.label}`}
          className="tick"
          x={x(t.value)}
          y={M.top + PH + 16}
          textAnchor="middle"
        >
          {truncate(t.label, maxLabel)}
        </text>
      ))}
      <text className="axis-label" x={M.left + PW / 2} y={H - 6} textAnchor="middle">
        {model.xName}
      </text>
    </g>
  );
}

function Marks({ model }: { model: ChartModel }) {
  const { x, y, band } = scales(model);
  const title = (label: string, v: number) => `${label}: ${formatCell(v).text}`;
  if (model.kind === 'bar') {
    const zero = y(Math.max(model.yDomain[0], Math.min(0, model.yDomain[1])));
    const width = Math.max(1, band * 0.7);
    return (
      <g className="marks">
        {model.points.map((p) => (
          <rect
            key={p.x}
            className="bar"
            x={x(p.x) - width / 2}
            y={Math.min(y(p.y), zero)}
            width={width}
            height={Math.max(1, Math.abs(zero - y(p.y)))}
          >
            <title>{title(p.label, p.y)}</title>
          </rect>
        ))}
      </g>
    );
  }
  if (model.kind === 'line') {
    const d = model.points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`)
      .join('');
    return (
      <g className="marks">
        <path className="line" d={d} />
        {model.points.length <= 60 &&
          model.points.map((p) => (
            <circle key={`${p.x}:${p.label}`} className="dot" cx={x(p.x)} cy={y(p.y)} r={2.5}>
              <title>{title(p.label, p.y)}</title>
            </circle>
          ))}
      </g>
    );
  }
  return (
    <g className="marks">
      {model.points.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: scatter points may coincide
        <circle key={i} className="dot scatter" cx={x(p.x)} cy={y(p.y)} r={3}>
          <title>{`${p.label}, ${formatCell(p.y).text}`}</title>
        </circle>
      ))}
    </g>
  );
}
