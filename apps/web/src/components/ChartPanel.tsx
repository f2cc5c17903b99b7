// A result's chart with its controls: type, x, the measures and a series, starting from the
// suggested chart. The choice is kept with the run (useChartChoice), so it survives a reload.
import { lazy, memo, Suspense, useId, useMemo } from 'react';
import {
  CHART_TYPES,
  type ChartSpec,
  chartData,
  fitSpec,
  MAX_MEASURES,
  suggestChart,
} from '../chart-spec.ts';
import { numericColumns } from '../result-columns.ts';
import type { RunResult } from '../trpc/types.ts';
import { useChartChoice } from '../use-chart-choice.ts';

const PlotChart = lazy(() => import('./PlotChart.tsx'));

export const ChartPanel = memo(function ChartPanel(props: { runId: string; result: RunResult }) {
  const { result } = props;
  const suggested = useMemo(() => suggestChart(result), [result]);
  const { saved, save, saving, error } = useChartChoice(props.runId);
  // Hidden (`none`), or the saved choice fitted to the columns, or else the suggestion.
  const spec = useMemo(
    () => (saved === null ? suggested : saved.type === 'none' ? null : fitSpec(result, saved)),
    [saved, suggested, result],
  );
  const numeric = useMemo(() => numericColumns(result), [result]);
  const measures = result.columns.filter((_, i) => numeric[i]).map((c) => c.name);
  const id = useId();
  const data = useMemo(() => (spec ? chartData(result, spec) : null), [result, spec]);

  if (!spec || !data) {
    // No chart suggested (or it was turned off): one can still be made when there is a measure.
    if (measures.length === 0 || result.rows.length < 2) return null;
    const x = result.columns.find((c) => c.name !== measures[0])?.name ?? result.columns[0]!.name;
    const fallback: ChartSpec = suggested ?? { type: 'bar', x, y: [measures[0]!], series: null };
    const hidden =
      saved?.type === 'none' ? fitSpec(result, { ...saved, type: fallback.type }) : null;
    return (
      <div className="chart-off">
        <button
          type="button"
          className="btn btn-small"
          data-testid="show-chart"
          onClick={() => save(hidden ?? fallback)}
        >
          Show a chart
        </button>
        {error && <p className="inline-error">The chart choice was not saved: {error}</p>}
      </div>
    );
  }

  const change = (next: Partial<ChartSpec>) => {
    const merged = fitSpec(result, { ...spec, ...next });
    if (merged) save(merged);
  };
  const toggleMeasure = (name: string, on: boolean) => {
    const y = on ? [...spec.y, name] : spec.y.filter((m) => m !== name);
    if (y.length > 0) change({ y });
  };
  const label = `${spec.type} chart of ${spec.y.join(', ')} by ${spec.x}${spec.series ? `, one ${spec.series} each` : ''}`;

  return (
    <figure className="chart" aria-labelledby={`${id}-caption`}>
      <div className="chart-controls" data-testid="chart-controls">
        <label>
          <span>Chart</span>
          <select
            value={spec.type}
            onChange={(e) => change({ type: e.target.value as ChartSpec['type'] })}
          >
            {CHART_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>x</span>
          <select value={spec.x} onChange={(e) => change({ x: e.target.value })}>
            {result.columns.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="chart-measures">
          <legend>y</legend>
          {measures
            .filter((m) => m !== spec.x)
            .map((m) => (
              <label key={m} className="check">
                <input
                  type="checkbox"
                  checked={spec.y.includes(m)}
                  disabled={!spec.y.includes(m) && spec.y.length >= MAX_MEASURES}
                  onChange={(e) => toggleMeasure(m, e.target.checked)}
                />
                {m}
              </label>
            ))}
        </fieldset>
        <label>
          <span>Series</span>
          <select
            value={spec.series ?? ''}
            onChange={(e) => change({ series: e.target.value || null })}
          >
            <option value="">none</option>
            {result.columns
              .filter((c, i) => !numeric[i] && c.name !== spec.x)
              .map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                </option>
              ))}
          </select>
        </label>
        {suggested && saved !== null && (
          <button type="button" className="btn btn-small btn-ghost" onClick={() => save(null)}>
            Suggested
          </button>
        )}
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => save({ ...spec, type: 'none' })}
        >
          Hide chart
        </button>
        {saving && <span className="muted small">Saving…</span>}
      </div>
      {error && <p className="inline-error">The chart choice was not saved: {error}</p>}
      <Suspense fallback={<div className="plot plot-loading" />}>
        <PlotChart spec={spec} data={data} label={label} />
      </Suspense>
      <figcaption id={`${id}-caption`}>
        {label}
        {data.omitted > 0 && ` · ${data.omitted} rows not plotted`}
      </figcaption>
    </figure>
  );
});
