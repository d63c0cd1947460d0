import { Inject, Injectable } from '@nestjs/common';
import { SERVER_KEYS, ServerKeys } from '../secrets/server-keys';
import { rekeyedDigest, tokenDigest } from './token-secret';

/** Token digests under this process's TOKEN_HASH_KEY. */
@Injectable()
export class TokenDigester {
  private readonly key: Buffer;

  constructor(@Inject(SERVER_KEYS) keys: Pick<ServerKeys, 'tokenHash'>) {
    this.key = keys.tokenHash;
  }

  of(token: string): string {
    return tokenDigest(this.key, token);
  }

  /** The keyed digest of a legacy (bare SHA-256) stored hash. */
  rekey(sha256: string): string {
    return rekeyedDigest(this.key, sha256);
  }
}
