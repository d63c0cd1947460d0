import type { ProjectionStatus } from './projection-status';

/** The status as a plain-text table (CLI), one projection per line, errors under the table. */
export function formatStatusTable(statuses: readonly ProjectionStatus[]): string {
  const head = ['NAME', 'VERSION', 'CHECKPOINT', 'LAG EVENTS', 'LAG SECONDS', 'STATE'];
  const rows = statuses.map((s) => [
    s.name,
    s.storedVersion !== null && s.storedVersion !== s.version ? `${s.version} (db ${s.storedVersion})` : String(s.version),
    s.checkpoint ?? '-',
    String(s.lag.events),
    s.lag.seconds.toFixed(1),
    s.rebuild ? `${s.state} (rebuild at ${s.rebuild.position})` : s.state,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const right = new Set([1, 3, 4]);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line)];
  if (!statuses.length) out.push('(no projections registered)');
  for (const s of statuses.filter((x) => x.error)) out.push('', `${s.name}: ${s.state} since ${s.errorAt ?? '?'}: ${s.error}`);
  return out.join('\n') + '\n';
}
