import { AppConfig } from '../config/config';
import { ConfigError } from '../config/env-var';

export const SERVER_KEYS = Symbol('SERVER_KEYS');

/** The server secrets a process holds (docs/adr/0007). Never stored in the database, never logged. */
export interface ServerKeys {
  /** Keys the stored token digests: HMAC-SHA256(key, sha256(token)). */
  readonly tokenHash: Buffer;
  /** Keys the audit hash chain links. */
  readonly auditChain: Buffer;
  /** Retired audit chain keys, to verify links written before a rotation. */
  readonly auditChainPrevious: readonly Buffer[];
}

export type KeyName = 'tokenHash' | 'auditChain';

/** The variable that holds each key: what every message about a key names. */
export const KEY_VARIABLES: Record<KeyName, string> = { tokenHash: 'TOKEN_HASH_KEY', auditChain: 'AUDIT_CHAIN_KEY' };

const bytes = (v: string) => Buffer.from(v, 'utf8');

/** The keys of a resolved configuration (see resolveServerKeys); a missing one stops start-up. */
export function serverKeys(config: AppConfig): ServerKeys {
  const { tokenHashKey, auditChainKey, auditChainPreviousKeys } = config.secrets;
  if (!tokenHashKey) throw new ConfigError(KEY_VARIABLES.tokenHash, 'is not set (resolveServerKeys fills it in for the embedded default)');
  if (!auditChainKey) throw new ConfigError(KEY_VARIABLES.auditChain, 'is not set (resolveServerKeys fills it in for the embedded default)');
  return { tokenHash: bytes(tokenHashKey), auditChain: bytes(auditChainKey), auditChainPrevious: auditChainPreviousKeys.map(bytes) };
}
