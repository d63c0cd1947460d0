import { execFile } from 'node:child_process';
import path from 'node:path';
import { TEST_SERVER_KEYS } from '../support/server-keys';

export const ROOT = path.resolve(__dirname, '../..');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI or the entry point as a user runs it: a child process with only the given environment (plus PATH). */
export function runTs(script: string, args: readonly string[], env: Record<string, string | undefined>, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], { cwd: ROOT, env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env }, timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** `npm run audit -- verify …` against a database, with the test keys unless `env` says otherwise. */
export const auditVerify = (url: string, args: readonly string[] = [], env: Record<string, string> = {}) => runTs('src/cli/audit.cli.ts', ['verify', ...args], { ...TEST_SERVER_KEYS, DATABASE_URL: url, ...env });
