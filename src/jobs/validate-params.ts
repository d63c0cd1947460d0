import { BadInput } from '../shared/errors';

/** The well-known run parameters (target tenant, dry-run, time range); others pass through. */
export function validateRunParams(params: Record<string, unknown> | undefined): Record<string, unknown> {
  const p = params ?? {};
  if (p.tenant !== undefined && (typeof p.tenant !== 'string' || !p.tenant)) throw BadInput.field('params.tenant', 'must be a tenant id (string)');
  if (p.dryRun !== undefined && typeof p.dryRun !== 'boolean') throw BadInput.field('params.dryRun', 'must be true or false');
  for (const k of ['from', 'to'] as const) {
    if (p[k] !== undefined && (typeof p[k] !== 'string' || Number.isNaN(Date.parse(p[k] as string)))) throw BadInput.field(`params.${k}`, 'must be an RFC 3339 timestamp');
  }
  if (typeof p.from === 'string' && typeof p.to === 'string' && Date.parse(p.from) > Date.parse(p.to)) throw BadInput.field('params.to', 'must not be before params.from');
  if (JSON.stringify(p).length > 16_384) throw BadInput.field('params', 'must be at most 16 KiB of JSON');
  return p;
}
