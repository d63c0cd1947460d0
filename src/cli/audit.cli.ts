import 'reflect-metadata';
import { Command } from 'commander';
import { Pool } from 'pg';
import { verifyAuditChain } from '../audit/verify-audit-chain';
import { loadConfig } from '../config/config';
import { resolveDatabase } from '../database/resolve-database';
import { createLogger } from '../shared/logger';

/** `npm run audit -- verify`: recomputes the audit hash chain and names any edited or removed event. */
const program = new Command('audit').description('opsledger audit log tools');

program
  .command('verify')
  .description('recompute the audit hash chain; exit 1 and name each edited or removed audit event')
  .option('--json', 'print the report as JSON')
  .action(async (opts: { json?: boolean }) => {
    const config = loadConfig();
    const log = createLogger(process.env.LOG_LEVEL ?? 'warn');
    const { url, embedded } = await resolveDatabase(config, log);
    const pool = new Pool({ connectionString: url, max: 2 });
    try {
      const report = await verifyAuditChain(pool);
      if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else if (report.ok) process.stdout.write(`audit chain intact: ${report.checked} event(s) verified\n`);
      else {
        process.stdout.write(`audit chain BROKEN: ${report.problems.length} problem(s) in ${report.checked} event(s)\n`);
        for (const p of report.problems) process.stdout.write(`  event ${p.eventId} (position ${p.position}): ${p.problem}\n`);
      }
      process.exitCode = report.ok ? 0 : 1;
    } finally {
      await pool.end();
      await embedded?.stop();
    }
  });

program.parseAsync().catch((err) => {
  process.stderr.write(`audit: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
