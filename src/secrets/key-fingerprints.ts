import { createHmac } from 'node:crypto';
import { Client } from 'pg';
import { ConfigError } from '../config/env-var';
import type { Queryable } from '../event-store/postgres/postgres-event-store';
import { KEY_VARIABLES, KeyName } from './server-keys';

/**
 * What the database keeps of a key: HMAC(key, a fixed label). It tells two keys apart and says
 * nothing about either (keys are 32+ random characters, so it cannot be guessed backwards).
 */
export function keyFingerprint(key: Buffer): string {
  return createHmac('sha256', key).update('opsledger-key-fingerprint').digest('hex');
}

/** Short id of a key (the fingerprint's first 16 hex digits): stored in audit links to say which key made them. */
export const keyId = (key: Buffer) => keyFingerprint(key).slice(0, 16);

/**
 * The first process to use a database records each key's fingerprint; every later one must hold
 * the same keys, or it stops with one line naming the variable (never a replica that silently
 * rejects every token, or an audit chain signed by two keys).
 */
export async function checkKeyFingerprints(db: Queryable, keys: Partial<Record<KeyName, Buffer>>): Promise<void> {
  const mismatched: string[] = [];
  let detail = '';
  for (const [name, key] of Object.entries(keys) as [KeyName, Buffer][]) {
    const variable = KEY_VARIABLES[name];
    const mine = keyFingerprint(key);
    await db.query('INSERT INTO server_key_fingerprints (name, fingerprint) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [variable, mine]);
    const { rows } = await db.query<{ fingerprint: string }>('SELECT fingerprint FROM server_key_fingerprints WHERE name = $1', [variable]);
    if (rows[0].fingerprint !== mine) {
      mismatched.push(variable);
      detail ||= ` (database fingerprint ${rows[0].fingerprint.slice(0, 8)}…, this process ${mine.slice(0, 8)}…)`;
    }
  }
  if (mismatched.length) {
    throw new ConfigError(
      mismatched.join(' and '),
      `differs from the key this database was set up with${mismatched.length === 1 ? detail : ''}: every process of an installation must use the same value; to change a key, follow docs/operations.md, "Rotating a key"`,
    );
  }
}

/** The same check on a short-lived connection (start-up, before the pool exists). */
export async function checkKeyFingerprintsAt(url: string, keys: Partial<Record<KeyName, Buffer>>): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await checkKeyFingerprints(c, keys);
  } finally {
    await c.end();
  }
}

/** After a rotation: the database now expects the new key. */
export async function replaceKeyFingerprint(db: Queryable, name: KeyName, key: Buffer): Promise<void> {
  await db.query(
    `INSERT INTO server_key_fingerprints (name, fingerprint) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, recorded_at = now()`,
    [KEY_VARIABLES[name], keyFingerprint(key)],
  );
}
