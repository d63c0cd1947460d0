import path from 'node:path';
import { ConfigError } from '../../config/env-var';
import type { Priority } from '../events/run.events';
import { validateCron } from './cron-schedule';
import { parseDuration } from './duration';
import { ARGV_PLACEHOLDERS, placeholdersIn } from '../handlers/argv-params';
import { CatchUpPolicy, HandlerSpec, JobDefinitionSnapshot, RUN_PARAM_NAMES, RunParamName } from '../events/job-definition';

export interface DefinitionDefaults {
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/i;
const FIELDS = new Set([
  'name',
  'description',
  'owner',
  'schedule',
  'timezone',
  'priority',
  'manualRun',
  'cancellable',
  'targetDuration',
  'timeout',
  'maxAttempts',
  'backoff',
  'expiresAfter',
  'stuckAfter',
  'tenant',
  'catchUp',
  'params',
  'handler',
]);
const PRIORITIES: readonly Priority[] = ['high', 'normal', 'low'];
const CATCH_UP: readonly CatchUpPolicy[] = ['once', 'all', 'skip'];

/**
 * Validates one job entry (config file or code registration). Every problem names the job and the
 * field, because an invalid definition stops start-up and a person must find it in the file.
 * `allowCommand` is false for code registrations: command handlers come only from the config file.
 */
export function parseJobDefinition(
  raw: unknown,
  index: number,
  defaults: DefinitionDefaults,
  opts: { allowCommand: boolean; baseDir: string },
): JobDefinitionSnapshot {
  const where = (field: string, problem: string, name?: string) =>
    new ConfigError('OPSLEDGER_CONFIG', `job ${name ? `"${name}"` : `#${index + 1}`}: field "${field}" ${problem}`);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw where('(entry)', 'must be an object');
  const r = raw as Record<string, unknown>;
  const name = r.name;
  if (typeof name !== 'string' || !NAME.test(name)) throw where('name', 'must be 1-100 letters, digits, ".", "_" or "-"');
  const fail = (field: string, problem: string) => where(field, problem, name);
  for (const k of Object.keys(r)) if (!FIELDS.has(k)) throw fail(k, `is not a known field (allowed: ${[...FIELDS].join(', ')})`);

  const str = (field: string, def: string | null): string | null => {
    const v = r[field];
    if (v === undefined || v === null) return def;
    if (typeof v !== 'string') throw fail(field, 'must be a string');
    return v;
  };
  const boolean = (field: string, def: boolean): boolean => {
    const v = r[field];
    if (v === undefined) return def;
    if (typeof v !== 'boolean') throw fail(field, 'must be true or false');
    return v;
  };
  const duration = (field: string, v: unknown, def: number | null, min = 1): number | null => {
    if (v === undefined || v === null) return def;
    const ms = parseDuration(v);
    if (ms === null || ms < min) throw fail(field, `must be a duration such as 1500, "30s", "15m", "1h" (at least ${min} ms)`);
    return ms;
  };

  const schedule = (str('schedule', 'on-demand') as string).trim();
  const timezone = str('timezone', 'UTC') as string;
  if (schedule !== 'on-demand') {
    try {
      validateCron(schedule, timezone);
    } catch (err) {
      const msg = (err as Error).message;
      throw /time ?zone/i.test(msg)
        ? fail('timezone', `is not a known time zone: ${timezone}`)
        : fail('schedule', `is not a valid cron expression or "on-demand": ${msg}`);
    }
  } else {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      throw fail('timezone', `is not a known time zone: ${timezone}`);
    }
  }
  const priority = str('priority', 'normal') as string as Priority;
  if (!PRIORITIES.includes(priority)) throw fail('priority', `must be one of ${PRIORITIES.join(', ')}`);
  const catchUp = str('catchUp', 'once') as string as CatchUpPolicy;
  if (!CATCH_UP.includes(catchUp)) throw fail('catchUp', `must be one of ${CATCH_UP.join(', ')}`);
  const maxAttempts = r.maxAttempts === undefined ? defaults.maxAttempts : r.maxAttempts;
  if (typeof maxAttempts !== 'number' || !Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100)
    throw fail('maxAttempts', 'must be a whole number from 1 to 100');

  let backoff = { kind: 'exponential' as 'exponential' | 'fixed', baseMs: defaults.backoffBaseMs, maxMs: defaults.backoffMaxMs };
  if (r.backoff !== undefined) {
    const b = r.backoff as Record<string, unknown>;
    if (!b || typeof b !== 'object' || Array.isArray(b)) throw fail('backoff', 'must be an object {kind, base, max}');
    for (const k of Object.keys(b)) if (!['kind', 'base', 'max'].includes(k)) throw fail(`backoff.${k}`, 'is not a known field (allowed: kind, base, max)');
    const kind = b.kind ?? 'exponential';
    if (kind !== 'exponential' && kind !== 'fixed') throw fail('backoff.kind', 'must be exponential or fixed');
    backoff = { kind, baseMs: duration('backoff.base', b.base, defaults.backoffBaseMs, 0)!, maxMs: duration('backoff.max', b.max, defaults.backoffMaxMs, 0)! };
  }

  const timeoutMs = duration('timeout', r.timeout, defaults.timeoutMs)!;
  const stuckAfterMs = duration('stuckAfter', r.stuckAfter, null, 1000);
  // The janitor would fail a run before its own timeout could end it.
  if (stuckAfterMs !== null && stuckAfterMs < timeoutMs) throw fail('stuckAfter', `must not be shorter than the job's timeout (${timeoutMs} ms)`);
  const params = r.params === undefined ? null : r.params;
  if (
    params !== null &&
    (!Array.isArray(params) || params.some((p) => !(RUN_PARAM_NAMES as readonly unknown[]).includes(p)) || new Set(params).size !== params.length)
  ) {
    throw fail('params', `must be a list of distinct names from ${RUN_PARAM_NAMES.join(', ')}`);
  }

  const handler = parseHandler(r.handler, name, fail, opts);
  if (handler.kind === 'command') {
    // A placeholder for a parameter the job does not accept would never be filled.
    for (const ph of handler.argv.flatMap(placeholdersIn)) {
      if (!(params ?? []).includes(ARGV_PLACEHOLDERS[ph]))
        throw fail('handler.argv', `uses {${ph}}, but the job does not declare the ${ARGV_PLACEHOLDERS[ph]} parameter (add it to "params")`);
    }
  }

  return {
    name,
    description: str('description', '') as string,
    owner: str('owner', null),
    schedule,
    timezone,
    priority,
    manualRun: boolean('manualRun', true),
    cancellable: boolean('cancellable', false),
    targetDurationMs: duration('targetDuration', r.targetDuration, null),
    timeoutMs,
    maxAttempts,
    backoff,
    expiresAfterMs: duration('expiresAfter', r.expiresAfter, null),
    // Absent unless declared, so definitions stored before these fields existed compare equal.
    ...(stuckAfterMs !== null ? { stuckAfterMs } : {}),
    ...(params !== null ? { params: params as RunParamName[] } : {}),
    tenant: str('tenant', null),
    catchUp,
    handler,
  };
}

function parseHandler(v: unknown, name: string, fail: (f: string, p: string) => ConfigError, opts: { allowCommand: boolean; baseDir: string }): HandlerSpec {
  if (v === undefined) return { kind: 'code', handler: name };
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw fail('handler', 'must be an object with "kind": http, command or code');
  const h = v as Record<string, unknown>;
  const allowed = (keys: string[]) => {
    for (const k of Object.keys(h))
      if (k !== 'kind' && !keys.includes(k)) throw fail(`handler.${k}`, `is not a known field for a ${String(h.kind)} handler (allowed: ${keys.join(', ')})`);
  };
  switch (h.kind) {
    case 'http': {
      allowed(['method', 'url', 'body', 'headers']);
      const method = (typeof h.method === 'string' ? h.method : 'POST').toUpperCase();
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].includes(method)) throw fail('handler.method', 'must be GET, POST, PUT, PATCH, DELETE or HEAD');
      if (typeof h.url !== 'string') throw fail('handler.url', 'must be an http(s) URL');
      try {
        const u = new URL(h.url);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
      } catch {
        throw fail('handler.url', 'must be an http(s) URL');
      }
      if (h.headers !== undefined && (typeof h.headers !== 'object' || h.headers === null || Object.values(h.headers).some((x) => typeof x !== 'string')))
        throw fail('handler.headers', 'must map header names to strings');
      return {
        kind: 'http',
        method,
        url: h.url,
        ...(h.body !== undefined ? { body: h.body } : {}),
        ...(h.headers ? { headers: h.headers as Record<string, string> } : {}),
      };
    }
    case 'command': {
      if (!opts.allowCommand) throw fail('handler.kind', 'command handlers can only be declared in the config file');
      allowed(['argv', 'env', 'cwd']);
      if (!Array.isArray(h.argv) || h.argv.length === 0 || h.argv.some((a) => typeof a !== 'string'))
        throw fail('handler.argv', 'must be a non-empty list of strings (no shell is used)');
      const env = h.env ?? [];
      if (!Array.isArray(env) || env.some((e) => typeof e !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e)))
        throw fail('handler.env', 'must be a list of environment variable names to pass through');
      if (h.cwd !== undefined && typeof h.cwd !== 'string') throw fail('handler.cwd', 'must be a directory path');
      return { kind: 'command', argv: h.argv as string[], env: env as string[], cwd: path.resolve(opts.baseDir, (h.cwd as string | undefined) ?? '.') };
    }
    case 'code': {
      allowed(['handler']);
      if (h.handler !== undefined && typeof h.handler !== 'string') throw fail('handler.handler', 'must be the name of a registered handler');
      return { kind: 'code', handler: (h.handler as string | undefined) ?? name };
    }
    default:
      throw fail('handler.kind', 'must be http, command or code');
  }
}
