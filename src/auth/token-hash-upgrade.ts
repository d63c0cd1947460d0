import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { LOGGER } from '../shared/logger';
import { decideToken } from './token.decider';
import { TokenDigester } from './token-digester';
import { TokenRepository } from './token-repository';

/**
 * Re-keys the digests of tokens issued before ADR 0007 (a bare SHA-256) to
 * HMAC(TOKEN_HASH_KEY, that SHA-256), one TokenHashRekeyed per token: the holders keep their
 * tokens, and the lookup column holds keyed digests only. Revoked tokens too, so a revoked
 * OPSLEDGER_ADMIN_TOKEN value is still recognised as revoked. Runs at start under the bootstrap
 * lock; a peer that got there first makes the append a no-op (expected revision).
 */
@Injectable()
export class TokenHashUpgrade {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly digester: TokenDigester,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async run(): Promise<number> {
    const correlationId = `token-rekey-${randomUUID()}`;
    let rekeyed = 0;
    for (const row of await this.tokens.legacyHashed()) {
      const { state, revision } = await this.tokens.load(row.tokenId);
      if (state.status === 'none') continue;
      const events = decideToken({ kind: 'RekeyTokenHash', tokenId: row.tokenId, hash: this.digester.rekey(state.hash) }, state);
      if (!events.length) continue;
      try {
        await this.tokens.append(row.tokenId, events, revision, async () => ({ actor: 'system', correlationId }));
        rekeyed++;
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict)) throw err;
      }
    }
    if (rekeyed) this.log.info({ event: 'auth.token_hashes_rekeyed', count: rekeyed }, `re-keyed the stored digests of ${rekeyed} token(s) issued before TOKEN_HASH_KEY`);
    return rekeyed;
  }
}
