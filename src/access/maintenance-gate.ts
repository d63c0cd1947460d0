import { SetMetadata } from '@nestjs/common';
import type { Principal } from './roles';
import type { TenantRule } from './tenant-scope';

/** A tenant's maintenance window that holds at an instant, as the gate (and the pause holds) need it. */
export interface ActiveMaintenance {
  readonly tenant: string;
  readonly mode: 'read_only' | 'offline';
  readonly banner: string;
  readonly startsAt: string;
  readonly endsAt: string | null;
}

/** The port the gate asks (provided by src/maintenance, answered from memory). */
export interface MaintenanceLookup {
  activeFor(tenant: string, at: Date): ActiveMaintenance | null;
}
export const MAINTENANCE_LOOKUP = Symbol('MAINTENANCE_LOOKUP');

export const MAINTENANCE_EXEMPT = 'opsledger:maintenance-exempt';
/** The route stays open to a tenant in maintenance: the maintenance routes themselves (status, change, end). */
export const MaintenanceExempt = () => SetMetadata(MAINTENANCE_EXEMPT, true);

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface GateInput {
  readonly principal: Pick<Principal, 'tenant'> | undefined;
  readonly method: string;
  /** The route's @TenantScope rule (undefined: none declared). */
  readonly rule: TenantRule | undefined;
  readonly exempt: boolean;
}

/**
 * Whether a request is refused because its tenant is in maintenance: the one rule. A request is
 * the tenant's when its token is scoped to the tenant; unscoped tokens (the installation's
 * operators, who must be able to end it) and public routes are never refused. `read_only` refuses
 * writes (POST/PUT/PATCH/DELETE) of `tenant` routes; `offline` every route but the exempt ones.
 */
export function gateRefuses(input: GateInput, active: ActiveMaintenance | null): boolean {
  if (!active || !input.principal?.tenant || input.exempt) return false;
  if (active.mode === 'offline') return true;
  return WRITES.has(input.method.toUpperCase()) && input.rule === 'tenant';
}

/** Seconds until the window ends (at least 1), or the configured default for an open-ended one. */
export function retryAfterSeconds(active: ActiveMaintenance, now: Date, openEndedSeconds: number): number {
  if (active.endsAt === null) return openEndedSeconds;
  return Math.max(1, Math.ceil((Date.parse(active.endsAt) - now.getTime()) / 1000));
}

/** The 503 body: the banner for the tenant's users, and the window. */
export function maintenanceRefusal(active: ActiveMaintenance) {
  const what = active.mode === 'offline' ? 'its requests are' : 'its changes are';
  return {
    statusCode: 503,
    error: 'Service Unavailable',
    message: `tenant "${active.tenant}" is in maintenance (${active.mode}): ${what} refused${active.endsAt ? ` until ${active.endsAt}` : ' until it ends'}`,
    maintenance: { tenant: active.tenant, mode: active.mode, banner: active.banner, startsAt: active.startsAt, endsAt: active.endsAt },
  };
}
