import 'reflect-metadata';
import { Command } from 'commander';
import { Pool } from 'pg';
import pino from 'pino';
import { AuditRecorder } from '../audit/audit-recorder';
import type { OperatorContext } from '../audit/operator-context';
import { IssueTokenHandler } from '../auth/issue-token.handler';
import { IssueTokenCommand } from '../auth/issue-token.command';
import { RevokeTokenHandler } from '../auth/revoke-token.handler';
import { RevokeTokenCommand } from '../auth/revoke-token.command';
import { TokenDigester } from '../auth/token-digester';
import { tokenDecider } from '../auth/token.decider';
import type { TokenRevoked } from '../auth/token-revoked.event';
import { TokenRepository } from '../auth/token-repository';
import { tokenView } from '../auth/token-view';
import { AppConfig, ConfigError, loadConfig } from '../config/config';
import { resolveDatabase } from '../database/resolve-database';
import { postgresEventStore } from '../event-store/postgres/postgres-event-store';
import { sqlOf } from '../event-store/unit-of-work';
import { newKey, resolveServerKeys, writeKeyFile } from '../secrets/key-files';
import { checkKeyFingerprints, keyFingerprint, replaceKeyFingerprint } from '../secrets/key-fingerprints';
import { serverKeys } from '../secrets/server-keys';
import { systemClock } from '../shared/clock';
import { eventsOrThrow, reject, RejectedError } from '../shared/decider';
import { REDACT } from '../shared/logger';
import { cliOperator } from './cli-operator';
import { createPool } from '../database/create-pool';

/**
 * `npm run tokens -- issue|list|revoke|rotate-key`: the same decider, handlers and store as the
 * API, straight against DATABASE_URL or the embedded PostgreSQL (no server needed). The issued
 * token is the only thing written to stdout, so `TOKEN=$(npm run -s tokens -- issue ...)` works;
 * all else is stderr. Nothing prints a token digest.
 */
interface Tools {
  config: AppConfig;
  pool: Pool;
  tokens: TokenRepository;
  issue: IssueTokenHandler;
  revoke: RevokeTokenHandler;
  audit: AuditRecorder;
  operator: OperatorContext;
}

/** `rotating`: the token key in the environment is the new one, so it is not held against the database's. */
async function withTools<T>(fn: (tools: Tools) => Promise<T>, rotating = false): Promise<T> {
  // Logs go to stderr so stdout carries only the answer.
  const log = pino(
    { level: process.env.LOG_LEVEL ?? 'warn', base: { service: 'opsledger-tokens' }, redact: { paths: REDACT, censor: '[redacted]' } },
    pino.destination(2),
  );
  let config = loadConfig();
  // Rotating the embedded default's key: a new one, written to the data dir once the database took it.
  if (rotating && !config.secrets.tokenHashKey && !config.core.databaseUrl) config = { ...config, secrets: { ...config.secrets, tokenHashKey: newKey() } };
  config = await resolveServerKeys(config, log);
  const { url, embedded } = await resolveDatabase(config, log);
  const pool = createPool(url, 3);
  const store = postgresEventStore(pool);
  try {
    const keys = serverKeys(config);
    await checkKeyFingerprints(pool, rotating ? { auditChain: keys.auditChain } : { tokenHash: keys.tokenHash, auditChain: keys.auditChain });
    const tokens = new TokenRepository(store, pool);
    const audit = new AuditRecorder(store, systemClock, log, keys);
    const digester = new TokenDigester(keys);
    return await fn({
      config,
      pool,
      tokens,
      audit,
      issue: new IssueTokenHandler(tokens, audit, systemClock, digester),
      revoke: new RevokeTokenHandler(tokens, audit, systemClock),
      operator: cliOperator(),
    });
  } finally {
    await store.close();
    await pool.end();
    await embedded?.stop();
  }
}

const program = new Command('tokens').description('opsledger bearer tokens: issue, list, revoke, rotate-key').showHelpAfterError();

program
  .command('issue')
  .description('issue a token and print it once (stdout); only its keyed digest is stored')
  .requiredOption('--role <role>', 'viewer | operator | admin')
  .requiredOption('--name <name>', 'who or what holds the token (audit actor)')
  .option('--tenant <tenant>', 'limit the token to one tenant')
  .option('--expires <rfc3339>', 'expiry, e.g. 2027-01-01T00:00:00Z (default: never)')
  .option('--reason <text>', 'why (audit log)', 'issued with the tokens CLI')
  .action(async (o: { role: string; name: string; tenant?: string; expires?: string; reason: string }) => {
    const issued = await withTools((t) =>
      t.issue.execute(new IssueTokenCommand(t.operator, { name: o.name, role: o.role, tenant: o.tenant ?? null, expiresAt: o.expires ?? null }, o.reason)),
    );
    process.stderr.write(
      `issued token ${issued.tokenId} "${issued.name}" (role ${issued.role}, tenant ${issued.tenant ?? '-'}, expires ${issued.expiresAt ?? 'never'}).\n` +
        'It is shown this once: store it now.\n',
    );
    process.stdout.write(`${issued.token}\n`);
  });

program
  .command('list')
  .description('list tokens (never secrets or digests)')
  .option('--json', 'print JSON')
  .action(async (o: { json?: boolean }) => {
    const rows = await withTools((t) => t.tokens.list());
    const now = Date.now();
    const view = rows.map((r) => tokenView(r, now));
    if (o.json) {
      process.stdout.write(JSON.stringify(view, null, 2) + '\n');
      return;
    }
    const table = [
      ['ID', 'NAME', 'ROLE', 'TENANT', 'STATUS', 'ISSUED', 'EXPIRES'],
      ...view.map((v) => [v.tokenId, v.name, v.role, v.tenant ?? '-', v.status, v.issuedAt, v.expiresAt ?? 'never']),
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const r of table)
      process.stdout.write(
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd() + '\n',
      );
    if (!view.length) process.stderr.write('no tokens\n');
  });

program
  .command('revoke <id>')
  .description('revoke a token by id (from `list`)')
  .requiredOption('--reason <text>', 'why (audit log)')
  .action(async (id: string, o: { reason: string }) => {
    const r = await withTools((t) => t.revoke.execute(new RevokeTokenCommand(t.operator, id, o.reason)));
    process.stdout.write(`revoked token ${r.tokenId} "${r.name}" at ${r.revokedAt}\n`);
  });

program
  .command('rotate-key')
  .description(
    'switch to a new TOKEN_HASH_KEY (from the environment; generated for the embedded default): every token is revoked and must be re-issued. Stop every process first.',
  )
  .requiredOption('--reason <text>', 'why (audit log)')
  .option('--yes', 'confirm: every issued token stops working')
  .action(async (o: { reason: string; yes?: boolean }) => {
    if (!o.yes)
      throw new RejectedError(
        reject('invalid', 'rotate-key revokes every token (a digest cannot be re-keyed without the old key and the token): add --yes to go ahead'),
      );
    const out = await withTools(async (t) => {
      const key = serverKeys(t.config).tokenHash;
      // One unit: the entry, every revocation (its effects) and the new fingerprint commit together,
      // so a failed or killed rotation leaves the old key in force with every token working.
      const revoked = await t.audit.act(
        t.operator,
        { action: 'token.key_rotated', target: 'token-hash-key', reason: o.reason },
        {
          check: async () => {
            const { rows } = await t.pool.query<{ fingerprint: string }>(`SELECT fingerprint FROM server_key_fingerprints WHERE name = 'TOKEN_HASH_KEY'`);
            if (rows[0]?.fingerprint === keyFingerprint(key))
              throw new ConfigError('TOKEN_HASH_KEY', 'is already the key this database uses: set the new key first (docs/operations.md, "Rotating a key")');
          },
          apply: async (unit) => {
            const sql = sqlOf(unit.uow);
            const revocations: { tokenId: string; events: TokenRevoked[]; revision: bigint }[] = [];
            for (const row of await t.tokens.list(sql)) {
              const { state, revision } = await t.tokens.load(row.tokenId, unit.uow);
              if (state.status !== 'active') continue;
              const events = eventsOrThrow(
                tokenDecider.decide({ kind: 'RevokeToken', tokenId: row.tokenId, reason: `TOKEN_HASH_KEY rotated: ${o.reason}`, revokerTenant: null }, state),
              ) as TokenRevoked[];
              revocations.push({ tokenId: row.tokenId, events, revision });
            }
            await unit.record('applied', { revoked: revocations.length });
            const revokedAt = systemClock.now().toISOString();
            for (const r of revocations) await t.tokens.appendIn(unit.uow, r.tokenId, r.events, r.revision, { ...unit.metadata, occurredAt: revokedAt });
            await replaceKeyFingerprint(sql, 'tokenHash', key);
            return revocations.length;
          },
        },
      );
      const file = t.config.core.databaseUrl || process.env.TOKEN_HASH_KEY ? null : await writeKeyFile(t.config, 'tokenHash', t.config.secrets.tokenHashKey!);
      return { revoked, file };
    }, true);
    process.stdout.write(
      `rotated TOKEN_HASH_KEY: revoked ${out.revoked} token(s); issue new ones (npm run tokens -- issue …). OPSLEDGER_ADMIN_TOKEN is issued again at the next start.\n` +
        (out.file ? `The new key is in ${out.file}: back it up.\n` : 'Set the new TOKEN_HASH_KEY in every process before starting it.\n'),
    );
  });

program.parseAsync().catch((err) => {
  // Rules and config problems are the user's to fix: one line, exit 1. Anything else: exit 2.
  if (err instanceof RejectedError || err instanceof ConfigError) {
    process.stderr.write(`tokens: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`tokens: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(2);
});
