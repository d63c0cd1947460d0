import type { BenchResults } from './result-file';

/** The summary table of docs/performance.md lives between these two lines. */
export const SUMMARY_START = '<!-- bench-summary:start (written by npm run bench from bench/results/*.json; edit the benches, not this table) -->';
export const SUMMARY_END = '<!-- bench-summary:end -->';

const HEADER = [
  '| bench | work | figure | reference in the same run | ratio | goal | load average (1/5/15 min) | measured |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];

const number = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 });
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** One table line per result row; the bench name first, so a later rewrite knows whose line it is. */
export function tableLines(results: BenchResults): string[] {
  const load = results.loadavg.map((l) => l.toFixed(2)).join(' / ');
  const at = results.at.slice(0, 16).replace('T', ' ') + ' UTC';
  return results.rows.map(
    (r) =>
      `| \`${results.bench}\` | ${cell(r.work)} | ${number(r.figure)} ${cell(r.unit)} | ${r.reference === null ? '—' : `${cell(r.reference)}: ${r.referenceFigure === null ? '—' : number(r.referenceFigure)}`} | ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`} | ${r.goal == null ? '—' : cell(r.goal)} | ${load} | ${at} |`,
  );
}

/** Which bench a table line belongs to (its first cell), or null for other lines. */
function benchOf(line: string): string | null {
  const m = /^\| `([^`]+)` \|/.exec(line);
  return m ? m[1] : null;
}

/**
 * The document with its summary table rewritten: lines of the benches in `results` are replaced by
 * their new rows (in `order`), lines of benches not run this time are kept as they were. Throws when
 * the markers are missing.
 */
export function rewriteSummary(doc: string, results: readonly BenchResults[], order: readonly string[]): string {
  const start = doc.indexOf(SUMMARY_START);
  const end = doc.indexOf(SUMMARY_END);
  if (start < 0 || end < start) throw new Error(`docs/performance.md has no summary markers (${SUMMARY_START} … ${SUMMARY_END})`);
  const kept = new Map<string, string[]>();
  for (const line of doc.slice(start + SUMMARY_START.length, end).split('\n')) {
    const bench = benchOf(line);
    if (bench !== null) kept.set(bench, [...(kept.get(bench) ?? []), line]);
  }
  for (const r of results) kept.set(r.bench, tableLines(r));
  const rank = (b: string) => (order.includes(b) ? order.indexOf(b) : order.length);
  const benches = [...kept.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const table = [...HEADER, ...benches.flatMap((b) => kept.get(b)!)].join('\n');
  return `${doc.slice(0, start)}${SUMMARY_START}\n${table}\n${doc.slice(end)}`;
}
