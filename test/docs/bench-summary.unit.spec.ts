import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchResults } from '../../bench/result-file';
import { rewriteSummary, SUMMARY_END, SUMMARY_START } from '../../bench/summary-table';

const result = (bench: string, figure: number, loadavg = [0.5, 0.75, 1]): BenchResults => ({
  bench,
  at: '2026-11-26T04:00:00.000Z',
  loadavg,
  rows: [{ work: `${bench} work`, figure, unit: 'events/s', reference: 'raw | peer', referenceFigure: 2000, ratio: figure / 2000, goal: '≥ 0.5×' }],
});

describe('npm run bench: the summary table of docs/performance.md', () => {
  const doc = (table: string) => `# Performance\n\nintro\n\n${SUMMARY_START}\n${table}\n${SUMMARY_END}\n\nrest\n`;

  it('writes a row per result with its load average, replacing the rows of benches that ran and keeping the others', () => {
    const first = rewriteSummary(doc(''), [result('store', 1500), result('rebuild', 900)], ['store', 'rebuild', 'jobs']);
    const second = rewriteSummary(first, [result('rebuild', 1200, [3, 2, 1])], ['store', 'rebuild', 'jobs']);
    const rows = second.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual([
      '| `store` | store work | 1,500 events/s | raw \\| peer: 2,000 | 0.75× | ≥ 0.5× | 0.50 / 0.75 / 1.00 | 2026-11-26 04:00 UTC |',
      '| `rebuild` | rebuild work | 1,200 events/s | raw \\| peer: 2,000 | 0.60× | ≥ 0.5× | 3.00 / 2.00 / 1.00 | 2026-11-26 04:00 UTC |',
    ]);
    expect(second.startsWith('# Performance\n\nintro\n\n')).toBe(true);
    expect(second.endsWith(`${SUMMARY_END}\n\nrest\n`)).toBe(true);
  });

  it('refuses a document without the markers', () => {
    expect(() => rewriteSummary('# Performance\n', [result('store', 1)], ['store'])).toThrow(/no summary markers/);
  });

  it('finds the markers in docs/performance.md', () => {
    const text = readFileSync(path.resolve(__dirname, '../../docs/performance.md'), 'utf8');
    expect(text.indexOf(SUMMARY_START)).toBeGreaterThan(0);
    expect(text.indexOf(SUMMARY_END)).toBeGreaterThan(text.indexOf(SUMMARY_START));
  });
});
