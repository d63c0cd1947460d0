import { spawn } from 'node:child_process';
import path from 'node:path';

export interface EmbeddedPgProcess {
  readonly url: string;
  /** Stops the server (SIGTERM to its process) and waits for it. */
  stop(): Promise<void>;
}

/** Starts embedded-pg-process.ts and waits for its URL. */
export function startEmbeddedPgProcess(dataDir: string, port: number): Promise<EmbeddedPgProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'embedded-pg-process.ts'), dataDir, String(port)], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      resolve({
        url: JSON.parse(line).url,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL process exited with ${code}: ${err}`)));
  });
}
