import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { PlanningSystem, OPS_TOKEN, startPlanningSystem } from './planning-system';

/**
 * PlanningSup documents its ops API with three client examples (a monitoring dashboard component,
 * an alerting client, a failure-investigation script). They are read from the source documents at
 * test time — the repository keeps no copy — and run as printed against a real opsledger, only the
 * URL rewritten to this server (host, and `/api/ops/health` or `/api/ops/plannings` as path).
 */
const repoRoot = path.resolve(__dirname, '../..');
// Beside the repository in the workspace it was specified in; a fresh clone has no such folder (then: skipped).
const seedsDir = process.env.OPSLEDGER_SEEDS_DIR ?? path.resolve(repoRoot, '..', 'shared', 'seeds');
const SNIPPET_URL = "'/api/ops/plannings'";

function findDocument(): string | null {
  if (!existsSync(seedsDir)) return null;
  for (const f of readdirSync(seedsDir).sort()) {
    const text = readFileSync(path.join(seedsDir, f), 'utf8');
    if (text.includes(`fetch(${SNIPPET_URL}`)) return text;
  }
  return null;
}

/** Whether `code` (wrapped in an async function, as a component body or a script) parses as TSX. */
function parses(code: string): boolean {
  const sf = ts.createSourceFile('snippet.tsx', `async function snippet() {\n${code}\n}`, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TSX);
  return (sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics.length === 0;
}

/**
 * Each example begins on a line that fetches the endpoint (or the function header just before it),
 * after the prose the flattened document glues in front of it; it ends with the longest run of
 * lines that parses (the prose after it does not).
 */
function extractSnippets(doc: string): string[] {
  const lines = doc.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].includes(`fetch(${SNIPPET_URL}`)) continue;
    let start = i;
    if (i > 0 && /(async\s+)?function\s+\w+\s*\([^)]*\)\s*\{\s*$/.test(lines[i - 1])) start = i - 1;
    const first = lines[start];
    const codeAt = first.search(/(async\s+function|function|const|let|var)\s/);
    const head = [first.slice(codeAt), ...lines.slice(start + 1)];
    let best = 0;
    for (let n = 1; n <= Math.min(head.length, 80); n++) if (parses(head.slice(0, n).join('\n'))) best = n;
    if (best) out.push(head.slice(0, best).join('\n'));
    i = start + best - 1;
  }
  return out;
}

const doc = findDocument();
const snippets = doc ? extractSnippets(doc) : [];
const dashboard = snippets.find((s) => /<\w/.test(s) && /\breturn\b/.test(s));
const alerting = snippets.find((s) => /async function \w+\(/.test(s));
const investigation = snippets.find((s) => s !== dashboard && s !== alerting);

const pointAt = (code: string, url: string) => code.split(SNIPPET_URL).join(JSON.stringify(url));

/** The investigation script: top-level await, console output. */
async function runInvestigation(url: string): Promise<string[]> {
  const out: string[] = [];
  const context = vm.createContext({ fetch, console: { log: (...a: unknown[]) => out.push(a.join(' ')) }, process: { env: { OPS_TOKEN } } });
  await vm.runInContext(`(async () => {\n${pointAt(investigation!, url)}\n})()`, context, { timeout: 5000 });
  return out;
}

/** The alerting client: defines checkHealth and schedules it; we call what it schedules once. */
async function runAlerting(url: string): Promise<{ alerts: any[]; everyMs: number }> {
  const alerts: any[] = [];
  const scheduled: { fn: () => Promise<void>; ms: number }[] = [];
  const context = vm.createContext({
    fetch,
    process: { env: { OPS_TOKEN } },
    sendAlert: async (a: unknown) => void alerts.push(a),
    setInterval: (fn: () => Promise<void>, ms: number) => scheduled.push({ fn, ms }),
  });
  vm.runInContext(pointAt(alerting!, url), context, { timeout: 5000 });
  expect(scheduled).toHaveLength(1);
  await scheduled[0].fn();
  return { alerts, everyMs: scheduled[0].ms };
}

interface Element {
  type: string | ((props: any) => unknown);
  props: Record<string, unknown>;
  children: unknown[];
}

/** The dashboard component: JSX transpiled by TypeScript, rendered to text by a minimal createElement. */
async function renderDashboard(url: string): Promise<{ text: string; components: Record<string, any[]> }> {
  const body = `async function Dashboard(token) {\n${pointAt(dashboard!, url)}\n}`;
  const js = ts.transpileModule(body, {
    compilerOptions: { jsx: ts.JsxEmit.React, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.None },
    fileName: 'dashboard.tsx',
  }).outputText;
  const components: Record<string, any[]> = {};
  const component = (name: string) => (props: Record<string, unknown>) => {
    (components[name] ??= []).push(props);
    return { type: 'span', props: {}, children: [name, ...Object.values(props).filter((v) => typeof v !== 'object'), props.children] };
  };
  const React = {
    createElement: (type: Element['type'], props: Record<string, unknown> | null, ...children: unknown[]): Element => ({ type, props: props ?? {}, children }),
  };
  const context = vm.createContext({ fetch, React, StatusBadge: component('StatusBadge'), Metric: component('Metric'), Alert: component('Alert') });
  vm.runInContext(js, context);
  const tree = await vm.runInContext(`Dashboard(${JSON.stringify(OPS_TOKEN)})`, context, { timeout: 5000 });
  const text: string[] = [];
  const walk = (n: unknown): void => {
    if (n === null || n === undefined || n === false || n === true) return;
    if (Array.isArray(n)) return n.forEach(walk);
    if (typeof n !== 'object') return void text.push(String(n));
    const el = n as Element;
    if (typeof el.type === 'function') return walk(el.type({ ...el.props, children: el.children }));
    walk(el.children);
  };
  walk(tree);
  return { text: text.join(' '), components };
}

const describeSeed = doc ? describe : describe.skip;
if (!doc) {
  console.log(`skipping PlanningSup client examples: no source document in ${seedsDir} (set OPSLEDGER_SEEDS_DIR)`);
}

describeSeed(`PlanningSup's client examples run unchanged (source documents in ${seedsDir})`, () => {
  let p: PlanningSystem;
  beforeAll(async () => (p = await startPlanningSystem()));
  afterAll(async () => p?.close());

  it('finds the three examples in the document', () => {
    expect([dashboard, alerting, investigation].map((s) => typeof s)).toEqual(['string', 'string', 'string']);
  });

  for (const route of ['/api/ops/plannings', '/api/ops/health']) {
    it(`healthy system (${route}): no alert, nothing failing, the dashboard shows the queue and full coverage`, async () => {
      await p.healthy();
      const url = p.t.url + route;
      const { alerts, everyMs } = await runAlerting(url);
      expect(alerts).toEqual([]);
      expect(everyMs).toBe(5 * 60 * 1000);
      expect(await runInvestigation(url)).toEqual(['Failed hosts:', '\nRecent failures:']);
      const d = await renderDashboard(url);
      expect(d.components.StatusBadge).toEqual([{ status: 'healthy', children: [] }]);
      expect(d.components.Metric.map((m) => m.label)).toEqual(['Queue depth', 'Ready', 'Coverage']);
      expect(d.components.Metric[0].value).toBe(5);
      expect(d.components.Metric[2].value).toBe('5/5');
      expect(d.components.Alert).toBeUndefined();
    });
  }

  it('degraded system: the alerting client warns of the disabled share, the script lists the failing host and planning, the dashboard shows the issue', async () => {
    const health = await p.degrade();
    for (const route of ['/api/ops/plannings', '/api/ops/health']) {
      const url = p.t.url + route;
      const { alerts } = await runAlerting(url);
      // degraded, not unhealthy: no critical alert; 1/5 disabled is above the client's 15 %.
      expect(alerts).toEqual([{ title: 'High planning failure rate', message: '1/5 plannings disabled', severity: 'warning' }]);
      const lines = await runInvestigation(url);
      expect(lines).toEqual([
        'Failed hosts:',
        ' 127.0.0.1: 1 failures (http_4xx)',
        '\nRecent failures:',
        ' feed::n0:',
        ' Kind: http_4xx',
        ' Count: 1',
        expect.stringMatching(/^ Disabled until: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      ]);
      expect(lines[6]).toBe(` Disabled until: ${health.recentFailures[0].disabledUntil}`);
      const d = await renderDashboard(url);
      expect(d.components.StatusBadge[0].status).toBe('degraded');
      expect(d.components.Metric[2].value).toMatch(/^\d\/5$/);
      expect(d.components.Alert).toHaveLength(1);
      expect(d.components.Alert[0].severity).toBe('error');
      expect(d.text).toContain('High disabled: 1/5 (20%)');
    }
  });
});
