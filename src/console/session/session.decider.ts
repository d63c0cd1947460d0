import { Decider, reject, Rejection } from '../../shared/decider';
import { inScope } from '../../access/tenant-scope';
import { SessionEndReason, SessionEvent, SessionStartedData } from './session.events';

export interface StartSession {
  readonly kind: 'StartSession';
  readonly data: SessionStartedData;
}

export interface EndSession {
  readonly kind: 'EndSession';
  readonly reason: SessionEndReason;
  readonly detail: string | null;
  readonly at: Date;
  /** The tenant of whoever ends it: a tenant-scoped admin ends only its tenant's sessions. */
  readonly enderTenant: string | null;
}

export type SessionCommand = StartSession | EndSession;

export type SessionState =
  | { readonly status: 'none' }
  | {
      readonly status: 'active' | 'ended';
      readonly sessionId: string;
      readonly name: string;
      readonly tenant: string | null;
      readonly endReason: SessionEndReason | null;
    };

const MAX_DETAIL = 500;

function decide(c: SessionCommand, s: SessionState): readonly SessionEvent[] | Rejection {
  if (c.kind === 'StartSession') {
    if (s.status !== 'none') return reject('conflict', `session ${c.data.sessionId} exists already`);
    return [{ type: 'SessionStarted', data: c.data }];
  }
  const detail = c.detail?.trim() || null;
  if (c.reason === 'revoked' && detail === null) return reject('invalid', 'is required: say why the session is revoked', 'reason');
  if (detail && detail.length > MAX_DETAIL) return reject('invalid', `must be at most ${MAX_DETAIL} characters`, 'reason');
  // Another tenant's session is answered as absent, as tokens are.
  if (s.status === 'none' || !inScope(c.enderTenant, s.tenant)) return reject('not_found', 'no such session');
  if (s.status === 'ended') return reject('conflict', `session ${s.sessionId} ("${s.name}") has ended already (${s.endReason})`);
  return [{ type: 'SessionEnded', data: { sessionId: s.sessionId, reason: c.reason, detail, tenant: s.tenant, endedAt: c.at.toISOString() } }];
}

function evolve(s: SessionState, e: SessionEvent): SessionState {
  if (e.type === 'SessionStarted') return { status: 'active', sessionId: e.data.sessionId, name: e.data.name, tenant: e.data.tenant, endReason: null };
  if (e.type === 'SessionEnded' && s.status !== 'none') return { ...s, status: 'ended', endReason: e.data.reason };
  return s;
}

/** A console session: started once, ended once (idle, absolute, sign-out or revoked). */
export const sessionDecider: Decider<SessionState, SessionCommand, SessionEvent> = { initialState: { status: 'none' }, decide, evolve };
