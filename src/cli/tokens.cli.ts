import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { Pool } from 'pg';
import pino from 'pino';
import { AuditRecorder } from '../audit/audit-recorder';
import type { OperatorContext } from '../audit/operator-context';
import { IssueTokenHandler } from '../auth/issue-token.handler';
import { IssueTokenCommand } from '../auth/issue-token.command';
import { RevokeTokenHandler } from '../auth/revoke-token.handler';
import { RevokeTokenCommand } from '../auth/revoke-token.command';
import { TokenRejected } from '../auth/token-rejected.error';
import { TokenRepository } from '../auth/token-repository';
import { tokenView } from '../auth/token-view';
import { ConfigError, loadConfig } from '../config/config';
import { resolveDatabase } from '../database/resolve-database';
import { PostgresEventStore } from '../event-store/postgres/postgres-event-store';
import { systemClock } from '../shared/clock';
import { REDACT } from '../shared/logger';

/**
 * `npm run tokens -- issue|list|revoke`: the same decider, handlers and store as the API, straight
 * against DATABASE_URL or the embedded PostgreSQL (no server needed). The issued token is the only
 * thing written to stdout, so `TOKEN=$(npm run -s tokens -- issue ...)` works; all else is stderr.
 */
interface Tools {
  tokens: TokenRepository;
  issue: IssueTokenHandler;
  revoke: RevokeTokenHandler;
  operator: OperatorContext;
}

async function withTools<T>(fn: (tools: Tools) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Logs go to stderr so stdout carries only the answer.
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn', base: { service: 'opsledger-tokens' }, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2));
  const { url, embedded } = await resolveDatabase(config, log);
  const pool = new Pool({ connectionString: url, max: 3 });
  const store = new PostgresEventStore(pool);
  try {
    const tokens = new TokenRepository(store);
    const audit = new AuditRecorder(store, systemClock, log);
    let who = 'unknown';
    try {
      who = userInfo().username;
    } catch {
      /* no passwd entry (containers) */
    }
    const operator: OperatorContext = { actor: `cli:${who}`, role: 'admin', tenant: null, requestId: randomUUID(), clientIp: '' };
    return await fn({ tokens, issue: new IssueTokenHandler(tokens, audit, systemClock), revoke: new RevokeTokenHandler(tokens, audit, systemClock), operator });
  } finally {
    await store.close();
    await pool.end();
    await embedded?.stop();
  }
}

const program = new Command('tokens').description('opsledger bearer tokens: issue, list, revoke').showHelpAfterError();

program
  .command('issue')
  .description('issue a token and print it once (stdout); only its SHA-256 hash is stored')
  .requiredOption('--role <role>', 'viewer | operator | admin')
  .requiredOption('--name <name>', 'who or what holds the token (audit actor)')
  .option('--tenant <tenant>', 'limit the token to one tenant')
  .option('--expires <rfc3339>', 'expiry, e.g. 2027-01-01T00:00:00Z (default: never)')
  .option('--reason <text>', 'why (audit log)', 'issued with the tokens CLI')
  .action(async (o: { role: string; name: string; tenant?: string; expires?: string; reason: string }) => {
    const issued = await withTools((t) => t.issue.execute(new IssueTokenCommand(t.operator, { name: o.name, role: o.role, tenant: o.tenant ?? null, expiresAt: o.expires ?? null }, o.reason)));
    process.stderr.write(
      `issued token ${issued.tokenId} "${issued.name}" (role ${issued.role}, tenant ${issued.tenant ?? '-'}, expires ${issued.expiresAt ?? 'never'}).\n` +
        'It is shown this once: store it now.\n',
    );
    process.stdout.write(`${issued.token}\n`);
  });

program
  .command('list')
  .description('list tokens (never secrets or hashes)')
  .option('--json', 'print JSON')
  .action(async (o: { json?: boolean }) => {
    const rows = await withTools((t) => t.tokens.list());
    const now = Date.now();
    const view = rows.map((r) => tokenView(r, now));
    if (o.json) {
      process.stdout.write(JSON.stringify(view, null, 2) + '\n');
      return;
    }
    const table = [['ID', 'NAME', 'ROLE', 'TENANT', 'STATUS', 'ISSUED', 'EXPIRES'], ...view.map((v) => [v.tokenId, v.name, v.role, v.tenant ?? '-', v.status, v.issuedAt, v.expiresAt ?? 'never'])];
    const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
    for (const r of table) process.stdout.write(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd() + '\n');
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

program.parseAsync().catch((err) => {
  // Rules and config problems are the user's to fix: one line, exit 1. Anything else: exit 2.
  if (err instanceof TokenRejected || err instanceof ConfigError) {
    process.stderr.write(`tokens: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`tokens: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(2);
});
