import { spec } from '../../../test/support/given';
import { sessionDecider } from './session.decider';
import { SessionStarted, SessionStartedData } from './session.events';

const data: SessionStartedData = {
  sessionId: '0b7e5c1e-8a55-4b8e-9d0e-0b1f7a3c2d11',
  tokenId: 't1',
  name: 'ann',
  role: 'operator',
  tenant: 'acme',
  hash: 'a'.repeat(64),
  startedAt: '2026-03-01T10:00:00.000Z',
  idleTimeoutMs: 1_800_000,
  absoluteExpiresAt: '2026-03-01T22:00:00.000Z',
  clientIp: '127.0.0.1',
};
const started: SessionStarted = { type: 'SessionStarted', data };
const at = new Date('2026-03-01T11:00:00.000Z');
const { given } = spec(sessionDecider);

describe('session decider', () => {
  it('starts a session once', () => {
    given().when({ kind: 'StartSession', data }).then([started]);
    given(started).when({ kind: 'StartSession', data }).thenRejects('conflict');
  });

  it('ends an active session with its reason and the tenant it belonged to', () => {
    given(started)
      .when({ kind: 'EndSession', reason: 'sign-out', detail: null, at, enderTenant: 'acme' })
      .then([{ type: 'SessionEnded', data: { sessionId: data.sessionId, reason: 'sign-out', detail: null, tenant: 'acme', endedAt: at.toISOString() } }]);
  });

  it('refuses to end a session twice', () => {
    const ended = given(started).when({ kind: 'EndSession', reason: 'idle', detail: null, at, enderTenant: null }).state();
    expect(sessionDecider.decide({ kind: 'EndSession', reason: 'revoked', detail: 'x', at, enderTenant: null }, ended)).toMatchObject({ code: 'conflict' });
  });

  it('a revoke needs a reason', () => {
    given(started).when({ kind: 'EndSession', reason: 'revoked', detail: '  ', at, enderTenant: null }).thenRejects('invalid', 'reason');
  });

  it("another tenant's session is answered as absent", () => {
    given(started).when({ kind: 'EndSession', reason: 'revoked', detail: 'left', at, enderTenant: 'globex' }).thenRejects('not_found');
    given().when({ kind: 'EndSession', reason: 'revoked', detail: 'left', at, enderTenant: null }).thenRejects('not_found');
  });
});
