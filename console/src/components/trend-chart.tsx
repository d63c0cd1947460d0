import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** Runs and failures per day (uPlot: a canvas, ~20 kB). The table beside it carries the same numbers for screen readers. */
export function TrendChart({ days, label }: { days: { day: string; runs: number; failures: number }[]; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || !days.length) return;
    const xs = days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000);
    const width = Math.max(280, el.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 180,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [{ stroke: '#5b6472' }, { stroke: '#5b6472', grid: { stroke: '#e6e8eb' } }],
        series: [{}, { label: 'runs', stroke: '#2f6fb2', width: 2 }, { label: 'failures', stroke: '#c0392b', width: 2, fill: 'rgba(192,57,43,0.12)' }],
        legend: { show: true },
      },
      [xs, days.map((d) => d.runs), days.map((d) => d.failures)],
      el,
    );
    const resize = () => plot.setSize({ width: Math.max(280, el.clientWidth), height: 180 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [days]);
  return <div ref={box} className="chart" role="img" aria-label={label} />;
}
