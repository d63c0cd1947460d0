import { BadInput } from '../shared/errors';
import type { JobDefinitionSnapshot, RunParamName } from './events/job-definition';

/** Which declared parameter a key of `params` belongs to. */
const declaredAs = (key: string): RunParamName =>
  key === 'tenant' ? 'tenant' : key === 'dryRun' ? 'dryRun' : key === 'from' || key === 'to' ? 'timeRange' : 'custom';

/**
 * Run-now (and retry) parameters, checked against what the job declares (target tenant, dry-run flag,
 * time range; `custom` lets any other keys through for the handler to check). An
 * undeclared or invalid parameter is a 400 naming `params.<key>`.
 */
export function validateRunParams(def: Pick<JobDefinitionSnapshot, 'name' | 'params'>, params: Record<string, unknown> | undefined): Record<string, unknown> {
  const p = params ?? {};
  const declared = def.params ?? [];
  for (const key of Object.keys(p)) {
    if (!declared.includes(declaredAs(key))) {
      const accepts = declared.length ? `it accepts ${declared.join(', ')}` : 'it declares no parameters';
      throw BadInput.field(
        `params.${key}`,
        `is not a parameter of job "${def.name}" (${accepts}${declaredAs(key) === 'custom' ? '' : `; the job must declare ${declaredAs(key)}`})`,
      );
    }
  }
  if (p.tenant !== undefined && (typeof p.tenant !== 'string' || !p.tenant)) throw BadInput.field('params.tenant', 'must be a tenant id (string)');
  if (p.dryRun !== undefined && typeof p.dryRun !== 'boolean') throw BadInput.field('params.dryRun', 'must be true or false');
  for (const k of ['from', 'to'] as const) {
    if (p[k] !== undefined && (typeof p[k] !== 'string' || !RFC3339.test(p[k] as string) || Number.isNaN(Date.parse(p[k] as string))))
      throw BadInput.field(`params.${k}`, 'must be an RFC 3339 timestamp');
  }
  if (typeof p.from === 'string' && typeof p.to === 'string' && Date.parse(p.from) > Date.parse(p.to))
    throw BadInput.field('params.to', 'must not be before params.from');
  if (JSON.stringify(p).length > 16_384) throw BadInput.field('params', 'must be at most 16 KiB of JSON');
  return p;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
