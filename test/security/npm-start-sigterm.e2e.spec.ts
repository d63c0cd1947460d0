import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPgProcess } from '../support/embedded-pg';
import { freePort } from '../support/free-port';
import { waitFor } from '../support/wait-for';

const ROOT = path.resolve(__dirname, '../..');

/** A pid that exited (or is only a zombie waiting to be reaped) no longer runs anything. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Every process below `pid`, from /proc (children first found, then theirs). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  let frontier = [pid];
  while (frontier.length) {
    const next: number[] = [];
    for (const p of frontier) {
      let children = '';
      try {
        children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(p)], { encoding: 'utf8' });
      } catch {
        /* none */
      }
      next.push(
        ...children
          .split('\n')
          .map((s) => Number(s.trim()))
          .filter((n) => n > 0),
      );
    }
    out.push(...next);
    frontier = next;
  }
  return out;
}

/**
 * The README's main command, `npm start`, signalled as a process manager or a terminal's `kill`
 * does: SIGTERM to the npm process itself. The script `exec`s node, so npm's forwarded signal
 * reaches the service (no `sh -c` in between that would drop it): it drains, appends
 * WorkerStopped, stops its embedded PostgreSQL and exits, and npm exits after it. No node or
 * postgres process of the run is left behind.
 *
 * `npm start --ignore-scripts` skips only the prestart build; the build is made here, from the
 * current sources, into a scratch copy of the package (its package.json, the same scripts).
 */
describe('SIGTERM to `npm start`', () => {
  const app = mkdtempSync(path.join(tmpdir(), 'opsledger-npm-start-'));
  const dataDir = path.join(app, 'data');
  const orphans = new Set<number>();

  beforeAll(() => {
    copyFileSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', path.join(app, 'dist')],
      { cwd: ROOT, stdio: 'pipe' },
    );
    expect(existsSync(path.join(app, 'dist/src/main.js'))).toBe(true);
  }, 120_000);

  afterAll(async () => {
    // Only when the test failed: whatever the run left behind is stopped here, by pid.
    for (const pid of orphans) if (running(pid)) process.kill(pid, 'SIGTERM');
    await waitFor('the leftovers to stop', () => ![...orphans].some(running), 10_000, 100).catch(() => undefined); // then SIGKILL
    for (const pid of orphans) if (running(pid)) process.kill(pid, 'SIGKILL');
    rmSync(app, { recursive: true, force: true });
  }, 30_000);

  it('a new installation gets its first admin token in the data dir; SIGTERM stops the service and its embedded PostgreSQL cleanly, leaving no process behind, with WorkerStopped appended', async () => {
    const [port, pgPort] = [await freePort(), await freePort()];
    const npm = spawn('npm', ['start', '--ignore-scripts'], {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? app,
        OPSLEDGER_DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        POLL_SCHEDULER_ENABLED: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    npm.stdout.on('data', (d) => (log += d));
    npm.stderr.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)));

    await waitFor(
      'npm start to answer the health check',
      async () => {
        if (npm.exitCode !== null) throw new Error(`npm exited with ${npm.exitCode}`);
        return fetch(`http://127.0.0.1:${port}/api/health`).then(
          (r) => r.ok,
          () => false,
        );
      },
      90_000,
      250,
    ).catch((err) => {
      throw new Error(`npm start did not come up: ${err.message}\n${log}`);
    });
    // A new installation (no OPSLEDGER_ADMIN_TOKEN) has its first admin token in the data dir, 0600, and not in the log.
    const tokenFile = path.join(dataDir, 'secrets', 'bootstrap-admin.token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    const whoami = await fetch(`http://127.0.0.1:${port}/api/auth/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect({ status: whoami.status, body: await whoami.json() }).toEqual({ status: 200, body: { name: 'bootstrap-admin', role: 'admin', tenant: null } });
    expect(log).toContain(`"event":"auth.bootstrap_token_written","file":${JSON.stringify(tokenFile)}`);
    expect(log).not.toContain(token);

    const tree = descendants(npm.pid!);
    tree.forEach((pid) => orphans.add(pid));
    const names = tree.map((pid) => readFileSync(`/proc/${pid}/comm`, 'utf8').trim());
    expect(names).toContain('node');
    expect(names.some((n) => n.startsWith('postgres'))).toBe(true);

    npm.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('npm still running after 30 s'), 30_000)))]);
    clearTimeout(timer);
    expect(code).toBe(0);
    // Everything npm started is gone once npm is (the service stopped PostgreSQL before exiting).
    await waitFor(
      'every process npm started to exit',
      () => {
        expect(tree.filter(running).map((pid) => `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`)).toEqual([]);
        return true;
      },
      5000,
      100,
    );
    expect(log).toContain('"event":"process.stopping","signal":"SIGTERM"');
    expect(log).toContain('"event":"worker.stopped"');
    expect(log).toContain('"event":"process.stopped"');

    // The log says the workers stopped: so does the event log, read back from the same data dir.
    const pg = await startEmbeddedPgProcess(dataDir, pgPort);
    try {
      const c = new Client({ connectionString: pg.url });
      await c.connect();
      const { rows } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM events WHERE type = 'WorkerStopped'`);
      await c.end();
      expect(rows[0].n).toBeGreaterThanOrEqual(1);
    } finally {
      await pg.stop();
    }
  }, 180_000);
});
