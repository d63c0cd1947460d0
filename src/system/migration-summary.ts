import type { MigrationStatus } from './migration-status';

/** Under the projections table of `npm run projections -- status`: migrations, rebuilds due, settled. */
export function formatMigrationSummary(s: MigrationStatus): string {
  const applied = s.migrations.length - s.pending.length;
  const run = s.lastRun
    ? `last run ${s.lastRun.finishedAt} on ${s.lastRun.instance} (applied ${s.lastRun.applied.length}${s.lastRun.error ? `, failed: ${s.lastRun.error}` : ''})`
    : 'no run recorded';
  const lines = ['', `migrations: ${applied} applied, ${s.pending.length} pending${s.pending.length ? ` (${s.pending.join(', ')})` : ''}; ${run}`];
  for (const p of s.projections.filter((x) => x.rebuild.pending || x.rebuild.running)) {
    lines.push(
      `rebuild ${p.name}: ${p.rebuild.running ? `running, ${Math.round((p.rebuild.progress ?? 0) * 100)}% (${p.rebuild.position}/${p.rebuild.head})` : `pending (version ${p.storedVersion ?? '-'} → ${p.version})`}`,
    );
  }
  lines.push(`settled: ${s.settled ? 'yes' : 'no'}`);
  return lines.join('\n') + '\n';
}
