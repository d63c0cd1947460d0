import 'reflect-metadata';
import { Command } from 'commander';
import { Pool } from 'pg';
import pino, { Logger } from 'pino';
import { KEY_ROTATION_ACTION, rotationEndorsement } from '../audit/audit-chain';
import { parseHead, PublishedHead } from '../audit/audit-chain-head';
import { AuditRecorder } from '../audit/audit-recorder';
import { verifyAuditChain } from '../audit/verify-audit-chain';
import { AppConfig, ConfigError, loadConfig } from '../config/config';
import { resolveDatabase } from '../database/resolve-database';
import type { EventStore } from '../event-store/event-store.port';
import { postgresEventStore } from '../event-store/postgres/postgres-event-store';
import { sqlOf } from '../event-store/unit-of-work';
import { appendPreviousAuditKey, newKey, resolveServerKeys, writeKeyFile } from '../secrets/key-files';
import { checkKeyFingerprints, keyId, replaceKeyFingerprint } from '../secrets/key-fingerprints';
import { systemClock } from '../shared/clock';
import { REDACT } from '../shared/logger';
import { cliOperator } from './cli-operator';
import { createPool } from '../database/create-pool';

/**
 * `npm run audit -- verify [--head <position>:<mac>]`: recomputes the audit hash chain and names
 * any edited or removed event. `rotate-key`: hands the chain to a new AUDIT_CHAIN_KEY.
 */
const program = new Command('audit').description('opsledger audit log tools').showHelpAfterError();

async function withDatabase<T>(fn: (config: AppConfig, pool: Pool, store: EventStore, log: Logger) => Promise<T>): Promise<T> {
  // Logs go to stderr; stdout carries the answer.
  const log = pino(
    { level: process.env.LOG_LEVEL ?? 'warn', base: { service: 'opsledger-audit' }, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.destination(2),
  );
  const config = await resolveServerKeys(loadConfig(), log, ['auditChain']);
  const { url, embedded } = await resolveDatabase(config, log);
  const pool = createPool(url, 2);
  const store = postgresEventStore(pool);
  try {
    return await fn(config, pool, store, log);
  } finally {
    await store.close();
    await pool.end();
    await embedded?.stop();
  }
}

const keyBytes = (k: string) => Buffer.from(k, 'utf8');

program
  .command('verify')
  .description('recompute the audit hash chain; exit 1 and name each edited or removed audit event')
  .option('--json', 'print the report as JSON')
  .option('--head <position:mac>', 'also check against a head published earlier (log line audit.chain_head, or /metrics)')
  .action(async (opts: { json?: boolean; head?: string }) => {
    let head: PublishedHead | undefined;
    try {
      head = opts.head ? parseHead(opts.head) : undefined;
    } catch (err) {
      process.stderr.write(`audit: ${(err as Error).message}\n`);
      process.exit(2);
    }
    await withDatabase(async (config, _pool, store) => {
      // The keys come from the environment (or the data dir), never from the database it checks.
      const keys = [config.secrets.auditChainKey!, ...config.secrets.auditChainPreviousKeys].map(keyBytes);
      const report = await verifyAuditChain(store, { keys, head });
      if (opts.json) process.stdout.write(JSON.stringify({ ...report, head: opts.head ?? null }, null, 2) + '\n');
      else if (report.ok) {
        const legacy = report.legacy ? ` (${report.legacy} of them unkeyed links from before AUDIT_CHAIN_KEY: only a published head protects those)` : '';
        process.stdout.write(
          `audit chain intact: ${report.checked} event(s) verified${head ? `, matching the published head ${head.position}` : ''}${legacy}\n`,
        );
      } else {
        process.stdout.write(`audit chain BROKEN: ${report.problems.length} problem(s) in ${report.checked} event(s)\n`);
        for (const p of report.problems) process.stdout.write(`  event ${p.eventId} (position ${p.position}): ${p.problem}\n`);
      }
      process.exitCode = report.ok ? 0 : 1;
    });
  });

program
  .command('rotate-key')
  .description(
    'hand the audit chain from AUDIT_CHAIN_KEY to AUDIT_CHAIN_NEW_KEY (generated for the embedded default) with a rotation link both keys sign; stop every process first',
  )
  .requiredOption('--reason <text>', 'why (audit log)')
  .action(async (opts: { reason: string }) => {
    await withDatabase(async (config, pool, store) => {
      const oldKey = config.secrets.auditChainKey!;
      const generated = !config.secrets.auditChainNewKey;
      if (generated && config.core.databaseUrl)
        throw new ConfigError(
          'AUDIT_CHAIN_NEW_KEY',
          'is required with DATABASE_URL: the new key every process will use (e.g. the output of "openssl rand -base64 32")',
        );
      const newKeyText = config.secrets.auditChainNewKey ?? newKey();
      if (newKeyText === oldKey) throw new ConfigError('AUDIT_CHAIN_NEW_KEY', 'equals AUDIT_CHAIN_KEY; a rotation needs a new key');
      const [oldBytes, newBytes] = [keyBytes(oldKey), keyBytes(newKeyText)];
      // Only the holder of the current key may hand the chain over.
      await checkKeyFingerprints(pool, { auditChain: oldBytes });
      if (generated) await appendPreviousAuditKey(config, oldKey); // before the switch: verify needs it from then on
      const recorder = new AuditRecorder(store, systemClock, pino({ level: 'silent' }), { auditChain: newBytes });
      // One unit: the rotation link (signed by the new key) and the fingerprint move commit together.
      const causationId = await recorder.act(
        cliOperator(),
        { action: KEY_ROTATION_ACTION, target: 'audit-chain', reason: opts.reason },
        {
          apply: async (unit) => {
            const db = sqlOf(unit.uow);
            // The head is locked since the unit began: the endorsement names the link the rotation follows.
            const { rows } = await db.query<{ last_hash: string }>('SELECT last_hash FROM audit_chain_head WHERE id = 1');
            await unit.record('applied', {
              previousKeyId: keyId(oldBytes),
              newKeyId: keyId(newBytes),
              endorsement: rotationEndorsement(oldBytes, rows[0].last_hash, keyId(newBytes)),
            });
            await replaceKeyFingerprint(db, 'auditChain', newBytes);
            return unit.metadata.causationId;
          },
        },
      );
      if (generated) {
        const file = await writeKeyFile(config, 'auditChain', newKeyText);
        process.stdout.write(`rotated AUDIT_CHAIN_KEY (rotation link ${causationId}); the new key is in ${file}, the old one kept for verify. Back both up.\n`);
      } else {
        process.stdout.write(
          `rotated AUDIT_CHAIN_KEY (rotation link ${causationId}). Now set AUDIT_CHAIN_KEY to the new key in every process, add the old key to AUDIT_CHAIN_PREVIOUS_KEYS where you run "audit verify", and start them.\n`,
        );
      }
    });
  });

program.parseAsync().catch((err) => {
  process.stderr.write(`audit: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
