import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { ExpectedVersionConflict } from '../event-store/expected-version-conflict.error';
import { sqlOf } from '../event-store/unit-of-work';
import { eventsOrThrow } from '../shared/decider';
import { LOGGER } from '../shared/logger';
import { tokenDecider } from './token.decider';
import { TokenDigester } from './token-digester';
import { TokenRepository } from './token-repository';

const MAX_ATTEMPTS = 3;

/**
 * Re-keys the digests of tokens issued before ADR 0007 (a bare SHA-256) to
 * HMAC(TOKEN_HASH_KEY, that SHA-256), one TokenHashRekeyed per token: the holders keep their
 * tokens, and the lookup column holds keyed digests only. Revoked tokens too, so a revoked
 * OPSLEDGER_ADMIN_TOKEN value is still recognised as revoked.
 *
 * Not an operator action (no one decides it and no token's meaning changes: a stored encoding is
 * upgraded, like an upcaster), so no audit entry; the events name actor `system`. All tokens are
 * re-keyed in one unit of work with their read-model rows, so the lookup column never mixes
 * schemes after a crash. Runs at start under the bootstrap lock; a peer without it (an older
 * process) that raced a stream makes the unit retry on what is left.
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
    for (let attempt = 1; ; attempt++) {
      try {
        const rekeyed = await this.tokens.store.transact(async (uow) => {
          let n = 0;
          for (const row of await this.tokens.legacyHashed(sqlOf(uow))) {
            const { state, revision } = await this.tokens.load(row.tokenId, uow);
            if (state.status === 'none') continue;
            const events = eventsOrThrow(tokenDecider.decide({ kind: 'RekeyTokenHash', tokenId: row.tokenId, hash: this.digester.rekey(state.hash) }, state));
            if (!events.length) continue;
            await this.tokens.appendIn(uow, row.tokenId, events, revision, { actor: 'system', correlationId });
            n++;
          }
          return n;
        });
        if (rekeyed)
          this.log.info(
            { event: 'auth.token_hashes_rekeyed', count: rekeyed },
            `re-keyed the stored digests of ${rekeyed} token(s) issued before TOKEN_HASH_KEY`,
          );
        return rekeyed;
      } catch (err) {
        if (!(err instanceof ExpectedVersionConflict) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }
}
