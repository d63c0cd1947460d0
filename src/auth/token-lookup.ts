import { Inject, Injectable } from '@nestjs/common';
import type { TokenRow } from '../../projections/tokens/token-row';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Clock, CLOCK } from '../shared/clock';
import { TokenDigester } from './token-digester';
import { TokenRepository } from './token-repository';
import { secretsEqual } from './token-secret';

const MAX_ENTRIES = 10_000;

/**
 * Finds a token row by its bearer secret (through its keyed digest), reusing a found row for AUTH_CACHE_MS. Only found rows are cached: an
 * unknown hash is asked again next time, so a token works the moment it is issued, and a flood
 * of random tokens cannot fill memory. A revoke in this process drops the row at once; one in
 * another process is seen within AUTH_CACHE_MS.
 */
@Injectable()
export class TokenLookup {
  private readonly cache = new Map<string, { row: TokenRow; until: number }>();
  private readonly ttlMs: number;

  constructor(
    private readonly tokens: TokenRepository,
    private readonly digester: TokenDigester,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.ttlMs = config.auth.cacheMs;
  }

  /** The row of a presented bearer token, or null. */
  async byToken(token: string): Promise<TokenRow | null> {
    const digest = this.digester.of(token);
    const row = await this.byHash(digest);
    // The lookup matched on the digest already; the constant-time check keeps that the only path.
    return row && secretsEqual(row.hash, digest) ? row : null;
  }

  private async byHash(hash: string): Promise<TokenRow | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.row;
    const row = await this.tokens.findByHash(hash);
    if (row && this.ttlMs > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(hash, { row, until: now + this.ttlMs });
    } else {
      this.cache.delete(hash);
    }
    return row;
  }

  forget(tokenId: string): void {
    for (const [hash, { row }] of this.cache) if (row.tokenId === tokenId) this.cache.delete(hash);
  }
}
