import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Api } from './console-seed';

/**
 * A small installation for the operations pages (attention, runs search, failure groups): command
 * jobs that fail with a stable error whose numbers vary (one signature), one that succeeds, one of
 * tenant acme that fails its own way, and one the test fails later to see the attention list move.
 */
const node = process.execPath;
const js = (code: string) => ({ kind: 'command', argv: [node, '-e', code] });

function configFile(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'opsledger-operations-')), 'config.json');
  const job = (name: string, code: string, extra: Record<string, unknown> = {}) => ({
    name,
    schedule: 'on-demand',
    maxAttempts: 1,
    params: ['custom'],
    handler: js(code),
    ...extra,
  });
  writeFileSync(
    file,
    JSON.stringify({
      jobs: [
        job(
          'orders-sync',
          'console.error("connection refused 10.0.0." + (1 + Math.floor(Math.random() * 200)) + ":5432 after " + (1000 + Math.floor(Math.random() * 9000)) + " ms"); process.exit(1)',
          { description: 'Copies orders to the warehouse' },
        ),
        job('invoice-export', 'console.log("exported 12 invoices")'),
        job('nightly-check', 'console.error("disk check: /var/data is 97% full"); process.exit(3)'),
        job('acme-export', 'console.error("acme export: bucket acme-exports denied access"); process.exit(1)', { tenant: 'acme' }),
      ],
    }),
  );
  return file;
}

/** The environment of the seeded service: a quick worker, no quiet hours. */
export function operationsEnv(): Record<string, string> {
  return {
    OPSLEDGER_CONFIG: configFile(),
    QUIET_HOURS: 'off',
    WORKER_CONCURRENCY: '2',
    WORKER_POLL_MS: '100',
    WORKER_HEARTBEAT_MS: '1000',
    STREAM_HEARTBEAT_MS: '2000',
  };
}

export interface OperationsSeed {
  readonly operatorToken: string;
  readonly viewerToken: string;
  readonly acmeToken: string;
  readonly globexToken: string;
  /** An instant after the tokens were issued and before any run: nothing needed an operator then. */
  readonly before: string;
  /** The signature of orders-sync's failures (3 runs) and of acme-export's (1 run). */
  readonly ordersSignature: string;
  readonly acmeSignature: string;
  /** The latest failed orders-sync run: the attention item's drill-in. */
  readonly latestOrdersRun: string;
}

const ok = async (p: Promise<{ status: number; body: any }>, what: string) => {
  const r = await p;
  if (r.status >= 300) throw new Error(`seed: ${what} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
};

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`seed: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function seedOperations(api: Api): Promise<OperationsSeed> {
  const token = async (name: string, role: string, tenant?: string) =>
    (await ok(api('POST', '/api/auth/tokens', { name, role, reason: 'operations seed', ...(tenant ? { tenant } : {}) }), `token ${name}`)).token as string;
  const operatorToken = await token('ann', 'operator');
  const viewerToken = await token('wall-screen', 'viewer');
  const acmeToken = await token('acme-ops', 'operator', 'acme');
  const globexToken = await token('globex-eyes', 'viewer', 'globex');
  await new Promise((r) => setTimeout(r, 50));
  const before = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 50));

  const run = (job: string, params: Record<string, unknown>, tok = operatorToken) =>
    ok(api('POST', `/api/jobs/${job}/run`, { reason: 'operations seed', params }, tok), `run ${job}`);
  for (let i = 0; i < 3; i++) await run('orders-sync', { batch: i });
  await run('invoice-export', {});
  await run('acme-export', {}, acmeToken);
  const runs = await until('the seeded runs to end and be searchable by signature', async () => {
    const r = (await api('GET', '/api/runs?limit=100')).body.runs as {
      runId: string;
      job: string;
      state: string;
      errorSignature: string | null;
      createdAt: string;
    }[];
    const done = r.length >= 5 && r.every((x) => ['succeeded', 'failed'].includes(x.state) && (x.state === 'succeeded' || x.errorSignature));
    return done && r;
  });
  const orders = runs.filter((r) => r.job === 'orders-sync');
  const signatures = new Set(orders.map((r) => r.errorSignature));
  if (signatures.size !== 1) throw new Error(`seed: orders-sync failed with ${signatures.size} signatures, not one`);
  return {
    operatorToken,
    viewerToken,
    acmeToken,
    globexToken,
    before,
    ordersSignature: orders[0].errorSignature!,
    acmeSignature: runs.find((r) => r.job === 'acme-export')!.errorSignature!,
    latestOrdersRun: orders[0].runId,
  };
}
