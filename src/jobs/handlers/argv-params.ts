import type { RunParamName } from '../events/job-definition';

/** The argv placeholders and the declared parameter each needs. */
export const ARGV_PLACEHOLDERS: Readonly<Record<string, RunParamName>> = { tenant: 'tenant', dryRun: 'dryRun', from: 'timeRange', to: 'timeRange' };
const PLACEHOLDER = /\{(tenant|dryRun|from|to)\}/g;

/** The placeholders an argument uses. */
export const placeholdersIn = (arg: string): string[] => [...arg.matchAll(PLACEHOLDER)].map((m) => m[1]);

/**
 * A command job's argv with `{tenant}`, `{dryRun}`, `{from}` and `{to}` replaced by the run's
 * parameters. `{dryRun}` is always `true` or `false`; an argument holding a placeholder whose
 * parameter the run was not given is left out whole (`--from={from}` without a `from`).
 */
export function argvWithParams(argv: readonly string[], params: Record<string, unknown>): string[] {
  const value = (name: string): string | null => {
    if (name === 'dryRun') return params.dryRun === true ? 'true' : 'false';
    const v = params[name];
    return typeof v === 'string' ? v : null;
  };
  const out: string[] = [];
  for (const arg of argv) {
    const names = placeholdersIn(arg);
    if (names.some((n) => value(n) === null)) continue;
    out.push(names.length ? arg.replace(PLACEHOLDER, (_m, n: string) => value(n)!) : arg);
  }
  return out;
}
