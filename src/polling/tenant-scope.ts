import type { TargetState } from '../../projections/targets/target-state';
import type { Principal } from '../auth/roles';

/** The tenant a caller is limited to; null = sees every target (an unscoped token, or x-ops-token). */
export const scopeOf = (p: Principal | undefined | null): string | null => p?.tenant ?? null;

/** Whether a caller limited to `tenant` may see the target. Unscoped callers see all. */
export const visibleTo = (tenant: string | null, t: Pick<TargetState, 'spec'> | null | undefined): boolean => !!t && (tenant === null || t.spec.tenant === tenant);

/** The rows a caller may see (health bodies for a scoped token count only these). */
export const scoped = <T extends Pick<TargetState, 'spec'>>(rows: Iterable<T>, tenant: string | null): T[] => [...rows].filter((r) => visibleTo(tenant, r));
