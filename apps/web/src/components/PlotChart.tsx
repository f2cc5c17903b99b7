// Draws a chart spec with Observable Plot (SVG, scales, ticks and legends by the library), sized
// to its container. Loaded as its own chunk: only results that show a chart pay for it.
import * as Plot from '@observablehq/plot';
import { useEffect, useRef, useState } from 'react';
import type { ChartData, ChartSpec } from '../chart-spec.ts';

const HEIGHT = 260;

function marks(spec: ChartSpec, data: ChartData): Plot.Markish[] {
  const { points } = data;
  const many = data.keys.length > 1;
  const color = many ? { stroke: 'key' } : {};
  const tip = { tip: true } as const;
  switch (spec.type) {
    case 'bar':
      // Several measures side by side per category; a series stacks within its bar.
      return spec.y.length > 1 && !spec.series
        ? [
            Plot.barY(points, { fx: 'x', x: 'key', y: 'value', fill: 'key', ...tip }),
            Plot.ruleY([0]),
          ]
        : [
            Plot.barY(points, { x: 'x', y: 'value', fill: many ? 'key' : undefined, ...tip }),
            Plot.ruleY([0]),
          ];
    case 'line':
      return [
        Plot.lineY(points, { x: 'x', y: 'value', z: 'key', ...color, ...tip }),
        ...(points.length <= 120
          ? [
              Plot.dot(points, {
                x: 'x',
                y: 'value',
                r: 2,
                ...(many ? { fill: 'key' } : { fill: 'currentColor' }),
              }),
            ]
          : []),
      ];
    case 'area':
      return [
        Plot.areaY(points, {
          x: 'x',
          y: 'value',
          z: 'key',
          fill: many ? 'key' : undefined,
          fillOpacity: 0.7,
          ...tip,
        }),
        Plot.ruleY([0]),
      ];
    case 'scatter':
      return [Plot.dot(points, { x: 'x', y: 'value', ...color, r: 3, ...tip })];
    case 'none':
      return [];
  }
}

export default function PlotChart(props: { spec: ChartSpec; data: ChartData; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => {
      const w = Math.floor(entry?.contentRect.width ?? 0);
      setWidth((old) => (Math.abs(old - w) > 2 ? w : old));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const { spec, data, label } = props;
  useEffect(() => {
    const el = box.current;
    if (!el || width === 0) return;
    const grouped = spec.type === 'bar' && spec.y.length > 1 && !spec.series;
    const chart = Plot.plot({
      width,
      height: width < 480 ? 220 : HEIGHT,
      marginLeft: 56,
      marginBottom: data.xKind === 'ordinal' ? 56 : 32,
      ariaLabel: label,
      ariaDescription: `${data.points.length} points${data.omitted ? `, ${data.omitted} rows not plotted` : ''}`,
      style: { background: 'transparent', fontSize: '11px' },
      x: grouped
        ? { axis: null }
        : data.xKind === 'ordinal'
          ? { type: spec.type === 'bar' ? 'band' : 'point', tickRotate: -30, label: spec.x }
          : { label: spec.x },
      ...(grouped ? { fx: { label: spec.x, tickRotate: -30, padding: 0.15 } } : {}),
      y: { grid: true, label: spec.y.length === 1 ? spec.y[0] : 'value', nice: true },
      color: { legend: data.keys.length > 1, label: spec.series ?? 'measure' },
      marks: marks(spec, data),
    });
    // The chart is one image to assistive technology, named by ariaLabel above (the rows are in
    // the table below it). Plot also names its inner <g> groups ("bar", "rule"), which ARIA does
    // not allow on generic elements; those names say nothing to a listener anyway.
    const svg = chart instanceof SVGSVGElement ? chart : chart.querySelector(':scope > svg');
    svg?.setAttribute('role', 'img');
    // A legend's swatches are drawn as small SVGs next to their text: decoration.
    for (const swatch of chart.querySelectorAll('svg')) {
      if (swatch !== svg) swatch.setAttribute('aria-hidden', 'true');
    }
    for (const g of chart.querySelectorAll('g[aria-label], g[aria-description]')) {
      g.removeAttribute('aria-label');
      g.removeAttribute('aria-description');
    }
    el.replaceChildren(chart);
    return () => chart.remove();
  }, [spec, data, label, width]);

  return <div className="plot" ref={box} data-testid="chart-plot" />;
}
