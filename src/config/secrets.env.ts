import { ConfigError, EnvVar, int } from './env-var';

/** Shortest accepted server key: 32 characters, e.g. `openssl rand -base64 32` (44). */
export const MIN_KEY_LENGTH = 32;

/** A server secret: unset, or at least MIN_KEY_LENGTH characters (its UTF-8 bytes are the key). */
const secretKey = (name: string, description: string): EnvVar<string | undefined> => ({
  name,
  description,
  defaultText: '(unset)',
  parse: (raw) => {
    if (raw === undefined || raw === '') return undefined;
    if (raw.length < MIN_KEY_LENGTH)
      throw new ConfigError(name, `must be at least ${MIN_KEY_LENGTH} characters of random text (e.g. the output of "openssl rand -base64 32")`);
    return raw;
  },
});

/** A comma-separated list of retired server keys (each as above). */
const secretKeyList = (name: string, description: string): EnvVar<string[]> => ({
  name,
  description,
  defaultText: '(unset)',
  parse: (raw) => {
    if (raw === undefined || raw.trim() === '') return [];
    const keys = raw.split(',').map((k) => k.trim());
    if (keys.some((k) => k.length < MIN_KEY_LENGTH))
      throw new ConfigError(name, `must be a comma-separated list of keys of at least ${MIN_KEY_LENGTH} characters each`);
    return keys;
  },
});

/**
 * Server secrets kept outside the database (docs/adr/0007): every process of an installation must
 * hold the same values; the database keeps only their fingerprints.
 */
export const secretsEnv = {
  tokenHashKey: secretKey(
    'TOKEN_HASH_KEY',
    'Server secret that keys stored token digests (HMAC-SHA256), 32+ characters, the same in every process. Required with DATABASE_URL; the embedded default generates one into OPSLEDGER_DATA_DIR/secrets.',
  ),
  auditChainKey: secretKey(
    'AUDIT_CHAIN_KEY',
    'Server secret that keys the audit hash chain (HMAC-SHA256), 32+ characters, the same in every process. Required with DATABASE_URL; the embedded default generates one into OPSLEDGER_DATA_DIR/secrets.',
  ),
  auditChainPreviousKeys: secretKeyList(
    'AUDIT_CHAIN_PREVIOUS_KEYS',
    'Retired AUDIT_CHAIN_KEY values (comma-separated): `npm run audit -- verify` needs them to check links written before a key rotation.',
  ),
  auditChainNewKey: secretKey(
    'AUDIT_CHAIN_NEW_KEY',
    'Only for `npm run audit -- rotate-key`: the key that replaces AUDIT_CHAIN_KEY (generated for the embedded default when unset).',
  ),
  auditHeadPublishSeconds: int(
    'AUDIT_HEAD_PUBLISH_SECONDS',
    300,
    'How often each process logs the audit chain head (audit.chain_head: position and MAC) so an external copy can detect a rewritten history.',
    { min: 1, max: 86_400 },
  ),
} as const;
