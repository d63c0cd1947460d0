import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppConfig } from '../config/config';
import { secretsDir } from '../secrets/key-files';

/**
 * The embedded default's first admin token, for an installation started without
 * OPSLEDGER_ADMIN_TOKEN: written once into OPSLEDGER_DATA_DIR/secrets (0600), never logged, the way
 * Jenkins leaves its initial admin password in a file. Only the embedded default does this: with
 * DATABASE_URL several processes share one database, and the admin token must be configured.
 */
export const bootstrapTokenFile = (config: AppConfig) => path.join(secretsDir(config), 'bootstrap-admin.token');

export async function readBootstrapTokenFile(file: string): Promise<string | null> {
  try {
    await fs.chmod(file, 0o600);
    return (await fs.readFile(file, 'utf8')).trim() || null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Writes `token` unless the file exists (two processes on one data dir keep the first); returns what the file holds. */
export async function writeBootstrapTokenFile(file: string, token: string): Promise<string | null> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await fs.writeFile(file, token + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readBootstrapTokenFile(file);
}
