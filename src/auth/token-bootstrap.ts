import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { systemOperator } from '../audit/operator-context';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ConfigError } from '../config/env-var';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { RejectedError } from '../shared/decider';
import { LOGGER } from '../shared/logger';
import { IssueTokenHandler } from './issue-token.handler';
import { IssueTokenCommand } from './issue-token.command';
import { RevokeTokenHandler } from './revoke-token.handler';
import { RevokeTokenCommand } from './revoke-token.command';
import { BOOTSTRAP_TOKEN_NAME } from './token.decider';
import { TokenDigester } from './token-digester';
import { TokenHashUpgrade } from './token-hash-upgrade';
import { TokenRepository } from './token-repository';
import { bootstrapTokenFile, readBootstrapTokenFile, writeBootstrapTokenFile } from './bootstrap-token-file';
import { newTokenSecret } from './token-secret';

export const BOOTSTRAP_ID_PREFIX = 'bootstrap-';
/** Shorter env tokens would be weak secrets, keyed digest or not; see token-secret.ts. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;
/** Arbitrary constant: serialises the bootstrap of processes starting at once. */
const BOOTSTRAP_LOCK = 7_301_003;

/**
 * The token id for an OPSLEDGER_ADMIN_TOKEN value: derived from its keyed digest, so every process
 * starting with the same value (and key) appends to the same stream and at most one issue wins
 * ('no_stream'). Hashing the digest again keeps the id from revealing the lookup key, and the key
 * keeps the id from being checked against guesses of the value. Tokens bootstrapped before ADR
 * 0007 keep their older id (derived from the bare SHA-256).
 */
export function bootstrapTokenId(digest: string): string {
  return BOOTSTRAP_ID_PREFIX + createHash('sha256').update(`opsledger bootstrap ${digest}`).digest('hex').slice(0, 24);
}

/**
 * At start, first re-keys token digests stored before ADR 0007 (TokenHashUpgrade), then makes
 * OPSLEDGER_ADMIN_TOKEN an admin token named `bootstrap-admin`: issued when
 * absent; when the value changed, earlier bootstrap tokens are revoked. Idempotent across restarts
 * and safe when several processes start together (advisory lock, then derived ids and expected
 * revisions as the backstop). A value that was revoked stays revoked: start-up then stops.
 */
@Injectable()
export class TokenBootstrap implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: TokenRepository,
    private readonly issue: IssueTokenHandler,
    private readonly revoke: RevokeTokenHandler,
    private readonly digester: TokenDigester,
    private readonly upgrade: TokenHashUpgrade,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const value = this.config.core.adminToken;
    if (value && value.length < MIN_ADMIN_TOKEN_LENGTH) {
      throw new ConfigError(
        'OPSLEDGER_ADMIN_TOKEN',
        `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters of random text (e.g. the output of "openssl rand -base64 32")`,
      );
    }
    const lock = await this.tokens.pool.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [BOOTSTRAP_LOCK]);
      await this.upgrade.run();
      if (value) await this.ensure(this.digester.of(value));
      else if (!this.config.core.databaseUrl) await this.ensureFromFile();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [BOOTSTRAP_LOCK]).catch(() => undefined);
      lock.release();
    }
  }

  /**
   * The embedded default without OPSLEDGER_ADMIN_TOKEN: the token in the data dir's
   * bootstrap-admin.token, written on a first start that finds no active unscoped admin token (so a
   * new installation can be signed in to at once). A token from the file that an admin revoked is
   * left revoked: start-up goes on without it.
   */
  private async ensureFromFile(): Promise<void> {
    const file = bootstrapTokenFile(this.config);
    let token = await readBootstrapTokenFile(file);
    if (!token) {
      const now = Date.now();
      const admins = (await this.tokens.list()).filter(
        (t) => t.role === 'admin' && t.tenant === null && !t.revokedAt && (!t.expiresAt || Date.parse(t.expiresAt) > now),
      );
      if (admins.length) return;
      token = await writeBootstrapTokenFile(file, newTokenSecret());
      if (!token) return;
      this.log.warn(
        { event: 'auth.bootstrap_token_written', file },
        `no admin token yet: wrote one into ${file} (sign in to the console or send it as a bearer token; set OPSLEDGER_ADMIN_TOKEN to choose your own)`,
      );
    }
    const existing = await this.tokens.findByHash(this.digester.of(token));
    if (existing?.revokedAt) return;
    await this.ensure(this.digester.of(token));
  }

  private async ensure(digest: string): Promise<void> {
    const ctx = systemOperator(`bootstrap-${randomUUID()}`);
    const existing = await this.tokens.findByHash(digest);
    // A token bootstrapped before ADR 0007 has an id derived otherwise; it is still this value's token.
    const tokenId = existing?.tokenId.startsWith(BOOTSTRAP_ID_PREFIX) ? existing.tokenId : bootstrapTokenId(digest);
    if (existing && existing.tokenId !== tokenId) {
      throw new ConfigError('OPSLEDGER_ADMIN_TOKEN', `equals the secret of token "${existing.name}" (${existing.tokenId}); use a value of its own`);
    }
    if (existing?.revokedAt) {
      throw new ConfigError('OPSLEDGER_ADMIN_TOKEN', `this value was revoked at ${existing.revokedAt} (token ${existing.tokenId}); set a new one`);
    }
    for (const old of await this.tokens.activeWithIdPrefix(BOOTSTRAP_ID_PREFIX)) {
      if (old.tokenId === tokenId) continue;
      try {
        await this.revoke.execute(new RevokeTokenCommand(ctx, old.tokenId, 'OPSLEDGER_ADMIN_TOKEN changed'));
        this.log.info({ event: 'auth.bootstrap_token_revoked', tokenId: old.tokenId }, 'revoked the previous bootstrap admin token');
      } catch (err) {
        // A peer without the lock (an older process) revoked it first: the goal is met.
        if (!(err instanceof RejectedError && err.rejection.code === 'conflict')) throw err;
      }
    }
    if (existing) return;
    try {
      await this.issue.execute(
        new IssueTokenCommand(ctx, { name: BOOTSTRAP_TOKEN_NAME, role: 'admin' }, 'OPSLEDGER_ADMIN_TOKEN bootstrap', { tokenId, hash: digest }),
      );
      this.log.info({ event: 'auth.bootstrap_token_issued', tokenId }, 'issued the bootstrap admin token from OPSLEDGER_ADMIN_TOKEN');
    } catch (err) {
      if (!(err instanceof ExpectedVersionConflict)) throw err;
    }
  }
}
