import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ConfigError } from './env-var';

/**
 * The optional OPSLEDGER_CONFIG file (JSON or YAML): declared targets and jobs. Each capability
 * validates its own section; this only reads and parses, naming the file on any problem.
 */
export interface ConfigFile {
  readonly targets: unknown[];
  readonly jobs: unknown[];
  /** Directory of the file: relative paths in it (e.g. a job's working dir) resolve from here. */
  readonly baseDir: string;
}

export function readConfigFile(file: string | undefined): ConfigFile {
  if (!file) return { targets: [], jobs: [], baseDir: process.cwd() };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError('OPSLEDGER_CONFIG', `cannot read ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = /\.json$/i.test(file) ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new ConfigError('OPSLEDGER_CONFIG', `${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  const doc = (parsed ?? {}) as Record<string, unknown>;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('OPSLEDGER_CONFIG', `${file} must hold an object with "targets" and/or "jobs"`);
  const unknown = Object.keys(doc).filter((k) => k !== 'targets' && k !== 'jobs');
  if (unknown.length) throw new ConfigError('OPSLEDGER_CONFIG', `${file}: unknown top-level field(s) ${unknown.join(', ')}; allowed: targets, jobs`);
  for (const k of ['targets', 'jobs'] as const) {
    if (doc[k] !== undefined && !Array.isArray(doc[k])) throw new ConfigError('OPSLEDGER_CONFIG', `${file}: "${k}" must be a list`);
  }
  return { targets: (doc.targets as unknown[]) ?? [], jobs: (doc.jobs as unknown[]) ?? [], baseDir: path.dirname(path.resolve(file)) };
}
