import { Conflict } from '../shared/errors';
import { BadInput } from '../shared/errors';
import { OverrideSubject, RateLimitOverrideEvent } from './rate-limit-override.events';

export type OverrideState = { status: 'none' } | { status: 'granted' | 'revoked'; expiresAt: string };

export const initialOverrideState: OverrideState = { status: 'none' };

export interface GrantOverride {
  kind: 'grant';
  overrideId: string;
  subject: OverrideSubject;
  limit: number;
  expiresAt: string;
  reason: string;
  actor: string;
  now: Date;
}
export interface RevokeOverride {
  kind: 'revoke';
  overrideId: string;
  reason: string;
  actor: string;
  now: Date;
}

/** Longest an override may last: they exist for migrations, backfills and incidents, not forever. */
export const MAX_OVERRIDE_MS = 30 * 24 * 3600 * 1000;

export function decideOverride(cmd: GrantOverride | RevokeOverride, state: OverrideState): RateLimitOverrideEvent[] {
  if (cmd.kind === 'grant') {
    if (state.status !== 'none') throw new Conflict(`override ${cmd.overrideId} exists already`);
    const expires = Date.parse(cmd.expiresAt);
    if (expires <= cmd.now.getTime()) throw BadInput.field('expiresAt', 'must be in the future');
    if (expires - cmd.now.getTime() > MAX_OVERRIDE_MS) throw BadInput.field('expiresAt', 'must be at most 30 days ahead: overrides are temporary');
    return [
      {
        type: 'RateLimitOverrideGranted',
        data: { overrideId: cmd.overrideId, subject: cmd.subject, limit: cmd.limit, expiresAt: new Date(expires).toISOString(), reason: cmd.reason, grantedBy: cmd.actor, grantedAt: cmd.now.toISOString() },
      },
    ];
  }
  if (state.status === 'none') throw BadInput.field('id', `no override ${cmd.overrideId}`);
  if (state.status === 'revoked') throw new Conflict(`override ${cmd.overrideId} is revoked already`);
  if (Date.parse(state.expiresAt) <= cmd.now.getTime()) throw new Conflict(`override ${cmd.overrideId} has expired already`);
  return [{ type: 'RateLimitOverrideRevoked', data: { overrideId: cmd.overrideId, reason: cmd.reason, revokedBy: cmd.actor, revokedAt: cmd.now.toISOString() } }];
}

export function evolveOverride(state: OverrideState, e: RateLimitOverrideEvent): OverrideState {
  if (e.type === 'RateLimitOverrideGranted') return { status: 'granted', expiresAt: e.data.expiresAt };
  if (state.status === 'none') return state;
  return { ...state, status: 'revoked' };
}
