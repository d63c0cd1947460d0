import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

interface Probe {
  password: string;
  firstPassword: string;
  fileMode: string;
  fileContent: string;
  listenAddresses: string | null;
  connectsWithPassword: boolean;
  connectsWithOldFixedPassword: boolean;
}

async function probe(mode: 'fresh' | 'legacy'): Promise<Probe> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'opsledger-pg-probe-'));
  try {
    const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', 'test/security/embedded-pg-probe.ts', mode, dataDir], {
      cwd: ROOT,
      timeout: 120_000,
    });
    return JSON.parse(stdout.trim().split('\n').pop()!);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('embedded PostgreSQL secrets', () => {
  it('generates a superuser password per data dir (0600 file, reused on restart) and listens on 127.0.0.1 only', async () => {
    const p = await probe('fresh');
    expect(p.fileMode).toBe('600');
    expect(p.password).not.toBe('opsledger');
    expect(p.password.length).toBeGreaterThanOrEqual(32);
    expect(p.fileContent).toBe(p.password);
    expect(p.firstPassword).toBe(p.password);
    expect(p.connectsWithPassword).toBe(true);
    expect(p.connectsWithOldFixedPassword).toBe(false);
    expect(['127.0.0.1', 'localhost']).toContain(p.listenAddresses);
  }, 150_000);

  it('moves a data dir initialised with the old fixed password to a generated one on its first start', async () => {
    const p = await probe('legacy');
    expect(p.password).not.toBe('opsledger');
    expect(p.fileMode).toBe('600');
    expect(p.connectsWithPassword).toBe(true);
    expect(p.connectsWithOldFixedPassword).toBe(false);
  }, 150_000);
});
