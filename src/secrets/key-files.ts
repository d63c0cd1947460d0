import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { ConfigError } from '../config/env-var';
import { KEY_VARIABLES, KeyName } from './server-keys';

const FILES: Record<KeyName, string> = { tokenHash: 'token-hash.key', auditChain: 'audit-chain.key' };
/** Retired audit chain keys of the embedded default, one a line (written by `audit rotate-key`). */
const PREVIOUS_AUDIT_KEYS_FILE = 'audit-chain.previous.keys';

/** Where the embedded default keeps its generated secrets: OPSLEDGER_DATA_DIR/secrets (0700, files 0600). */
export const secretsDir = (config: AppConfig) => path.resolve(config.core.dataDir, 'secrets');
export const keyFile = (config: AppConfig, name: KeyName) => path.join(secretsDir(config), FILES[name]);

const CONFIG_FIELD: Record<KeyName, 'tokenHashKey' | 'auditChainKey'> = { tokenHash: 'tokenHashKey', auditChain: 'auditChainKey' };

/** A new random key: 32 bytes, base64url (43 characters). */
export const newKey = () => randomBytes(32).toString('base64url');

/**
 * Fills in the server keys a process needs. A key set in the environment wins. With DATABASE_URL
 * a missing key stops start-up: processes sharing a database must share the keys, and one that
 * made up its own would silently reject every token. Only the embedded default (one data dir, one
 * machine) reads, or on first start generates, its keys under OPSLEDGER_DATA_DIR/secrets.
 */
export async function resolveServerKeys(config: AppConfig, log: Logger, names: readonly KeyName[] = ['tokenHash', 'auditChain']): Promise<AppConfig> {
  const secrets = { ...config.secrets };
  for (const name of names) {
    if (secrets[CONFIG_FIELD[name]]) continue;
    if (config.core.databaseUrl) {
      throw new ConfigError(
        KEY_VARIABLES[name],
        'is required when DATABASE_URL is set: every process of the installation must use the same value (e.g. the output of "openssl rand -base64 32"); see docs/operations.md, "Secrets"',
      );
    }
    secrets[CONFIG_FIELD[name]] = await readOrCreateKey(keyFile(config, name), KEY_VARIABLES[name], log);
  }
  if (names.includes('auditChain') && secrets.auditChainPreviousKeys.length === 0 && !config.core.databaseUrl) {
    secrets.auditChainPreviousKeys = await readPreviousAuditKeys(config);
  }
  return { ...config, secrets };
}

async function readOrCreateKey(file: string, variable: string, log: Logger): Promise<string> {
  const existing = await readKey(file);
  if (existing) return existing;
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': two processes starting on one data dir at once keep the first key written.
    await fs.writeFile(file, newKey() + '\n', { mode: 0o600, flag: 'wx' });
    log.warn(
      { event: 'secrets.key_generated', variable, file },
      `generated ${variable} into ${file}: keep a copy with your backups (without it tokens stop working and the audit chain cannot be verified)`,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = await readKey(file);
  if (!key) throw new ConfigError(variable, `${file} is empty; restore it from a backup, or delete it to start over (see docs/operations.md, "Secrets")`);
  return key;
}

async function readKey(file: string): Promise<string | null> {
  try {
    await fs.chmod(file, 0o600); // a copy restored with looser permissions is narrowed again
    return (await fs.readFile(file, 'utf8')).trim() || null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function readPreviousAuditKeys(config: AppConfig): Promise<string[]> {
  const text = await readKey(path.join(secretsDir(config), PREVIOUS_AUDIT_KEYS_FILE));
  return text
    ? text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
}

/** Replaces a generated key file (0600), atomically: a crash leaves the old or the new key, never half of one. */
export async function writeKeyFile(config: AppConfig, name: KeyName, key: string): Promise<string> {
  const file = keyFile(config, name);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, key + '\n', { mode: 0o600 });
  await fs.rename(tmp, file);
  return file;
}

/** Keeps a retired audit key of the embedded default, so `audit verify` can still check older links. */
export async function appendPreviousAuditKey(config: AppConfig, key: string): Promise<string> {
  const file = path.join(secretsDir(config), PREVIOUS_AUDIT_KEYS_FILE);
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await fs.appendFile(file, key + '\n', { mode: 0o600 });
  return file;
}
