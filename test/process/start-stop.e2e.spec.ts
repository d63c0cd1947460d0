import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../support/free-port';
import { waitFor } from '../support/wait-for';

const root = path.resolve(__dirname, '../..');

function postgresRunningFor(dataDir: string): boolean {
  try {
    return execFileSync('pgrep', ['-f', `postgres -D ${dataDir}`], { encoding: 'utf8' }).trim().length > 0;
  } catch {
    return false;
  }
}

/**
 * The real entry point on its own embedded PostgreSQL: starts, serves, and on SIGTERM drains,
 * records the worker's stop, stops the embedded server and exits 0 within SHUTDOWN_TIMEOUT_MS.
 * A second start reuses the data.
 */
describe('process start and clean shutdown (embedded PostgreSQL)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-proc-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  async function runOnce(): Promise<{ log: string; exitCode: number | null; stopMs: number }> {
    const [port, pgPort] = [await freePort(), await freePort()];
    const child = spawn('node', ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: '',
        OPSLEDGER_DATA_DIR: dataDir,
        EMBEDDED_PG_PORT: String(pgPort),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    await waitFor(
      'the service to answer its health check',
      async () => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${log}`);
        return fetch(`http://127.0.0.1:${port}/api/health`).then(
          (r) => r.ok,
          () => false,
        );
      },
      60_000,
      250,
    ).catch((err) => {
      throw new Error(`did not start: ${err.message}\n${log}`);
    });
    const t0 = Date.now();
    child.kill('SIGTERM');
    const exitCode = await exited;
    return { log, exitCode, stopMs: Date.now() - t0 };
  }

  it('starts, then stops cleanly on SIGTERM within 10 s, leaving no PostgreSQL behind; a second start reuses the data', async () => {
    const first = await runOnce();
    expect(first.exitCode).toBe(0);
    expect(first.stopMs).toBeLessThan(10_000);
    expect(first.log).toContain('"event":"database.embedded_init"');
    // The embedded default made its server keys (the secrets folder is new), and says so.
    expect(first.log).toMatch(/"event":"secrets.key_generated","variable":"TOKEN_HASH_KEY"/);
    expect(first.log).toMatch(/"event":"process.started","mode":"all","url":"http:\/\/127.0.0.1:\d+"/);
    expect(first.log).toContain('"event":"process.stopping"');
    expect(first.log).toContain('"event":"worker.stopped"');
    expect(first.log).toContain('"event":"process.stopped"');
    expect(first.log).not.toContain('stop_record_failed');
    expect(postgresRunningFor(dataDir)).toBe(false);

    const second = await runOnce();
    expect(second.exitCode).toBe(0);
    expect(second.log).not.toContain('"event":"database.embedded_init"'); // reused, not initialised again
    expect(second.log).not.toContain('"event":"secrets.key_generated"'); // kept from the first start
    expect(postgresRunningFor(dataDir)).toBe(false);
  }, 120_000);
});
