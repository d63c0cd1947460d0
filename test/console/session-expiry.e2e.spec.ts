import { waitFor } from '../support/wait-for';
import { startTestApp, TestApp } from '../support/test-app';
import { eventsOf, signIn } from './session-client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Short timings: idle 1.5 s, absolute 4 s, the sweeper every 200 ms. */
describe('console session expiry', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ AUTH_CACHE_MS: '0', SESSION_IDLE_TIMEOUT_MS: '1500', SESSION_ABSOLUTE_TIMEOUT_MS: '4000', SESSION_SWEEP_MS: '200' });
    token = (await t.request('POST', '/api/auth/tokens', { body: { name: 'night-shift', role: 'viewer', reason: 'test' } })).body.token;
  });
  afterAll(async () => t.close());

  const endOf = async (sessionId: string) => (await eventsOf(t, 'SessionEnded')).find((e) => e.data.sessionId === sessionId);

  it('a session without requests ends idle: the sweeper records it (actor system) and the cookie answers 401', async () => {
    const s = await signIn(t, token);
    const ended = await waitFor('the session ended by the sweeper', () => endOf(s.sessionId));
    expect(ended.data.reason).toBe('idle');
    expect(ended.metadata.actor).toBe('system');
    const res = await s.request('GET', '/api/auth/whoami');
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/ended \(idle\)/);
  });

  it('requests keep a session alive past the idle timeout, but not past the absolute one', async () => {
    const s = await signIn(t, token);
    const started = Date.now();
    while (Date.now() - started < 3000) {
      expect((await s.request('GET', '/api/auth/whoami')).status).toBe(200);
      await sleep(250);
    }
    expect(await endOf(s.sessionId)).toBeUndefined();
    await waitFor('whoami answers 401', async () => (await s.request('GET', '/api/auth/whoami')).status === 401, 30_000, 200);
    expect((await endOf(s.sessionId))!.data.reason).toBe('absolute');
  });
});
