import { FAST_POLLING_ENV, FlakyServer, startFlakyServer } from '../polling/support';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

export const OPS_TOKEN = 'ops-secret-for-planning-clients';

/**
 * A real installation as a planning-refresh client sees it: five targets polled against a real
 * local HTTP server. Healthy once every target answers; `degrade()` makes one answer 401, which
 * dead-letters it at once (permanent failure): 1/5 = 20 % disabled, above the 10 % rule.
 */
export interface PlanningSystem {
  readonly t: TestApp;
  readonly s: FlakyServer;
  ops(path?: string): Promise<any>;
  until(label: string, pred: (b: any) => boolean, timeoutMs?: number): Promise<any>;
  healthy(): Promise<any>;
  degrade(): Promise<any>;
  close(): Promise<void>;
}

export async function startPlanningSystem(env: Record<string, string> = {}): Promise<PlanningSystem> {
  const s = await startFlakyServer();
  // One retry of a dead-lettered target after 10 min: within a test it stays disabled.
  const t = await startTestApp({ ...FAST_POLLING_ENV, OPS_TOKEN, DEAD_LETTER_RETRY_SCHEDULE: '600', ...env });
  for (let i = 0; i < 5; i++) {
    s.modes.set(`n${i}`, 'ok');
    const res = await t.request('POST', '/api/targets', {
      body: { type: 'feed', name: `n${i}`, probe: { kind: 'http', url: `${s.base}/switch/n${i}` }, intervalSeconds: 0.2, adaptive: false },
    });
    if (res.status !== 201) throw new Error(`register n${i}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const ops = async (path = '/api/ops/plannings') => {
    const res = await t.request('GET', path, { token: null, headers: { 'x-ops-token': OPS_TOKEN } });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return res.body;
  };
  const until = (label: string, pred: (b: any) => boolean, timeoutMs = 15_000) =>
    waitFor(label, async () => ((b) => (pred(b) ? b : null))(await ops()), timeoutMs);
  return {
    t,
    s,
    ops,
    until,
    healthy: () =>
      until(
        'healthy, every target covered, the last write a repeat poll',
        (b) => b.status === 'healthy' && b.backups.covered === 5 && b.lastBackupWrite !== null && b.lastBackupWrite.changed === false,
      ),
    async degrade() {
      s.modes.set('n0', '401');
      return until('degraded: n0 dead-lettered', (b) => b.status === 'degraded' && b.backups.disabled === 1 && b.recentFailures !== null);
    },
    async close() {
      await t.close();
      await s.close();
    },
  };
}
