import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import type { TargetState } from './target.state';
import { ConfigError } from '../config/env-var';
import { CreateTargetDto } from './target.dto';
import { canonicalSpec, TargetSpec, targetKey } from './events/target-spec';
import type { PollRules } from './poll-rules';
import { fixedIntervalProblem, freshnessProblem } from './target.decider';

function problems(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((p) => `${field}: ${p.replace(/^property \S+ should not exist$/, 'is not a known field')}`);
    return [...own, ...problems(e.children ?? [], field)];
  });
}

/** DTO → spec without undefined fields (the API and the config file produce the same spec). */
export function specFromDto(dto: Omit<CreateTargetDto, 'reason'>): TargetSpec {
  return JSON.parse(
    JSON.stringify({
      type: dto.type,
      name: dto.name,
      displayName: dto.displayName,
      probe: { ...dto.probe, jsonCheck: dto.probe.jsonCheck ? { ...dto.probe.jsonCheck } : undefined },
      intervalSeconds: dto.intervalSeconds,
      adaptive: dto.adaptive,
      tenant: dto.tenant,
      freshness: dto.freshness ? { objective: dto.freshness.objective, maxAgeSeconds: dto.freshness.maxAgeSeconds, window: dto.freshness.window } : undefined,
    }),
  );
}

/** Validates the config file's targets with the API's DTO and the target rules; the first problem names the entry and the field. */
export function parseConfigTargets(
  entries: readonly unknown[],
  knownKinds: readonly string[],
  rules: Pick<PollRules, 'adaptiveEnabled' | 'minIntervalMs' | 'defaultIntervalMs'>,
): TargetSpec[] {
  const seen = new Set<string>();
  return entries.map((raw, i) => {
    const obj = (raw ?? {}) as Record<string, unknown>;
    const label = `targets[${i}]${typeof obj.type === 'string' && typeof obj.name === 'string' ? ` (${obj.type}::${obj.name})` : ''}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('OPSLEDGER_CONFIG', `${label}: must be an object`);
    if ('reason' in obj) throw new ConfigError('OPSLEDGER_CONFIG', `${label}: reason: is not a known field`);
    const dto = plainToInstance(CreateTargetDto, raw);
    const errs = validateSync(dto, { whitelist: true, forbidNonWhitelisted: true });
    if (errs.length) throw new ConfigError('OPSLEDGER_CONFIG', `${label}: ${problems(errs).join('; ')}`);
    if (!knownKinds.includes(dto.probe.kind))
      throw new ConfigError('OPSLEDGER_CONFIG', `${label}: probe.kind: unknown probe kind "${dto.probe.kind}"; known: ${knownKinds.join(', ')}`);
    const spec = specFromDto(dto);
    const interval = fixedIntervalProblem(spec, rules);
    if (interval) throw new ConfigError('OPSLEDGER_CONFIG', `${label}: intervalSeconds: ${interval}`);
    const freshness = freshnessProblem(spec, rules);
    if (freshness) throw new ConfigError('OPSLEDGER_CONFIG', `${label}: freshness.maxAgeSeconds: ${freshness}`);
    const key = targetKey(spec.type, spec.name);
    if (seen.has(key)) throw new ConfigError('OPSLEDGER_CONFIG', `${label}: target ${key} is declared twice`);
    seen.add(key);
    return spec;
  });
}

export interface ReconcilePlan {
  readonly added: TargetSpec[];
  readonly changed: TargetSpec[];
  readonly removed: string[];
}

/** Declared vs registered: new keys are added, differing specs changed, config-declared targets no longer declared removed. */
export function reconcilePlan(declared: readonly TargetSpec[], current: readonly TargetState[]): ReconcilePlan {
  const byKey = new Map(current.map((s) => [s.key, s]));
  const declaredKeys = new Set(declared.map((s) => targetKey(s.type, s.name)));
  return {
    added: declared.filter((s) => !byKey.has(targetKey(s.type, s.name))),
    changed: declared.filter((s) => {
      const cur = byKey.get(targetKey(s.type, s.name));
      return cur !== undefined && canonicalSpec(cur.spec) !== canonicalSpec(s);
    }),
    removed: current.filter((s) => s.source === 'config' && !declaredKeys.has(s.key)).map((s) => s.key),
  };
}
