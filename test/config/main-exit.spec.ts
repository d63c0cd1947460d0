import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Runs the real entry point with only the given environment (plus PATH). */
function runMain(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // A config that passed would start a server: never let it outlive the test.
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('start-up with a bad configuration value', () => {
  it.each([
    ['PORT', 'abc', /PORT: must be a whole number from 0 to 65535, got "abc"/],
    ['APP_MODE', 'sideways', /APP_MODE: must be one of all, server, worker, got "sideways"/],
  ])('%s=%s exits 1 with a single stderr line naming the variable', async (name, value, expected) => {
    const res = await runMain({ [name]: value, OPSLEDGER_DATA_DIR: path.join(ROOT, '.data-never-created') });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    const lines = res.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });
});
