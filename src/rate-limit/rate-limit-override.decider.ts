import { Decider, Decision, reject } from '../shared/decider';
import { OverrideSubject, RateLimitOverrideEvent } from './rate-limit-override.events';

/** The write model of one override stream: what revoking needs to know. */
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
export type OverrideCommand = GrantOverride | RevokeOverride;

/** Longest an override may last: they exist for migrations, backfills and incidents, not forever. */
export const MAX_OVERRIDE_MS = 30 * 24 * 3600 * 1000;

export function evolveOverride(state: OverrideState, e: RateLimitOverrideEvent): OverrideState {
  if (e.type === 'RateLimitOverrideGranted') return { status: 'granted', expiresAt: e.data.expiresAt };
  if (state.status === 'none') return state;
  return { ...state, status: 'revoked' };
}

function decideGrant(cmd: GrantOverride, state: OverrideState): Decision<RateLimitOverrideEvent> {
  if (!!cmd.subject.tenant === !!cmd.subject.ip) return reject('invalid', 'must name exactly one of tenant or ip', 'subject');
  if (state.status !== 'none') return reject('conflict', `override ${cmd.overrideId} exists already`);
  const expires = Date.parse(cmd.expiresAt);
  if (expires <= cmd.now.getTime()) return reject('invalid', 'must be in the future', 'expiresAt');
  if (expires - cmd.now.getTime() > MAX_OVERRIDE_MS) return reject('invalid', 'must be at most 30 days ahead: overrides are temporary', 'expiresAt');
  const subject = cmd.subject.tenant ? { tenant: cmd.subject.tenant } : { ip: cmd.subject.ip };
  return [
    {
      type: 'RateLimitOverrideGranted',
      data: {
        overrideId: cmd.overrideId,
        subject,
        limit: cmd.limit,
        expiresAt: new Date(expires).toISOString(),
        reason: cmd.reason,
        grantedBy: cmd.actor,
        grantedAt: cmd.now.toISOString(),
      },
    },
  ];
}

function decideRevoke(cmd: RevokeOverride, state: OverrideState): Decision<RateLimitOverrideEvent> {
  if (state.status === 'none') return reject('not_found', `no rate-limit override ${cmd.overrideId}`);
  if (state.status === 'revoked') return reject('conflict', `override ${cmd.overrideId} is revoked already`);
  if (Date.parse(state.expiresAt) <= cmd.now.getTime()) return reject('conflict', `override ${cmd.overrideId} has expired already`);
  return [
    { type: 'RateLimitOverrideRevoked', data: { overrideId: cmd.overrideId, reason: cmd.reason, revokedBy: cmd.actor, revokedAt: cmd.now.toISOString() } },
  ];
}

/** Granting and revoking a temporary rate-limit override; the time comes in the command. */
export const overrideDecider: Decider<OverrideState, OverrideCommand, RateLimitOverrideEvent> = {
  initialState: initialOverrideState,
  evolve: evolveOverride,
  decide: (cmd, state) => (cmd.kind === 'grant' ? decideGrant(cmd, state) : decideRevoke(cmd, state)),
};
