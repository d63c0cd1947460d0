/**
 * One environment variable: its default, how it is parsed, and what a person needs to know.
 * Parsers throw ConfigError with a message that says what is allowed.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export interface EnvVar<T> {
  readonly name: string;
  readonly description: string;
  /** Shown in the README; `undefined` means "unset". */
  readonly defaultText: string;
  parse(raw: string | undefined): T;
}

export const str = (name: string, def: string | undefined, description: string): EnvVar<string | undefined> => ({
  name,
  description,
  defaultText: def ?? '(unset)',
  parse: (raw) => (raw === undefined || raw === '' ? def : raw),
});

export const requiredStr = (name: string, def: string, description: string): EnvVar<string> => ({
  name,
  description,
  defaultText: def,
  parse: (raw) => (raw === undefined || raw === '' ? def : raw),
});

export const int = (
  name: string,
  def: number,
  description: string,
  { min = 0, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {},
): EnvVar<number> => ({
  name,
  description,
  defaultText: String(def),
  parse: (raw) => {
    if (raw === undefined || raw === '') return def;
    if (!/^-?\d+$/.test(raw.trim())) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
    const n = Number(raw);
    if (n < min || n > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got ${n}`);
    return n;
  },
});

export const num = (
  name: string,
  def: number,
  description: string,
  { min = 0, max = Number.MAX_VALUE }: { min?: number; max?: number } = {},
): EnvVar<number> => ({
  name,
  description,
  defaultText: String(def),
  parse: (raw) => {
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(name, `must be a number from ${min} to ${max}, got "${raw}"`);
    return n;
  },
});

export const bool = (name: string, def: boolean, description: string): EnvVar<boolean> => ({
  name,
  description,
  defaultText: String(def),
  parse: (raw) => {
    if (raw === undefined || raw === '') return def;
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    throw new ConfigError(name, `must be true or false, got "${raw}"`);
  },
});

export const oneOf = <T extends string>(name: string, allowed: readonly T[], def: T, description: string): EnvVar<T> => ({
  name,
  description: `${description} One of: ${allowed.join(', ')}.`,
  defaultText: def,
  parse: (raw) => {
    if (raw === undefined || raw === '') return def;
    if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
    return raw as T;
  },
});

/** A list of durations in seconds, e.g. "300,900,3600". */
export const secondsList = (name: string, def: number[], description: string): EnvVar<number[]> => ({
  name,
  description,
  defaultText: def.join(','),
  parse: (raw) => {
    if (raw === undefined || raw === '') return def;
    const parts = raw.split(',').map((p) => p.trim());
    if (parts.length === 0 || parts.some((p) => !/^\d+(\.\d+)?$/.test(p) || Number(p) <= 0)) {
      throw new ConfigError(name, `must be a comma-separated list of positive seconds (e.g. 300,900,3600), got "${raw}"`);
    }
    return parts.map(Number);
  },
});
