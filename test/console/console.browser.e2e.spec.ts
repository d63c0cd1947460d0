import { Browser, BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../support/wait-for';
import { startTestApp, TestApp } from '../support/test-app';
import { ensureConsoleBuilt, launchChromium, seriousA11yViolations, signInThroughPage } from './browser';
import { consoleEnv, FakeUpstream, seed, Seeded, startUpstream } from './console-seed';

/**
 * The console in Debian's Chromium against a real service with real events: targets polled over
 * HTTP on 127.0.0.1, command jobs that ran, a breaker open, a dead letter, a pile of pending runs.
 */
describe('operator console in Chromium', () => {
  let t: TestApp;
  let up: FakeUpstream;
  let seeded: Seeded;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  const go = (path: string) => page.goto(t.url + path);
  const auditHas = async (action: string, reason: string) =>
    ((await t.request('GET', `/api/audit?action=${action}`)).body.items as { reason: string; actor: string }[]).find((a) => a.reason === reason);
  /** The audit page reads a projection: give it a moment. */
  const audited = (action: string, reason: string) => waitFor(`audit entry ${action}: ${reason}`, () => auditHas(action, reason));

  beforeAll(async () => {
    ensureConsoleBuilt();
    up = await startUpstream();
    t = await startTestApp({ ...consoleEnv(), STREAM_HEARTBEAT_MS: '2000' });
    seeded = await seed((m, p, b, tok) => t.request(m, p, { body: b, token: tok }), up);
    browser = await launchChromium();
    admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await admin.newPage();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await up?.close();
  });

  it('signs in with a pasted token: the sign-in page and the targets show live data', async () => {
    await page.goto(t.url);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await signInThroughPage(page, t.url, t.adminToken);
    await go('/targets');
    const eu2 = page.locator('tr[data-key="instance::eu-2"]');
    await eu2.getByText('breaker open').waitFor();
    await page.locator('tr[data-key="pbs::backup-1"]').getByText('dead-lettered').waitFor();
    await page.locator('tr[data-key="instance::eu-1"]').getByText('healthy').waitFor();
    expect(
      await page
        .getByText(/read \d\d:\d\d:\d\dZ/)
        .first()
        .isVisible(),
    ).toBe(true);
    await page.getByText('Live', { exact: true }).waitFor();
  });

  const PAGES: [string, string | RegExp][] = [
    ['/targets', 'instance::eu-2'],
    ['/targets/instance::eu-2', 'Why it polls when it does'],
    ['/dead-letters', 'permanent_failure'],
    ['/jobs', 'etl-orders'],
    ['/jobs/etl-orders', 'exit code 2'],
    ['/runs', 'bulk-import'],
    ['/system', '90.9 %'],
    ['/timeline', 'PollSucceeded'],
    ['/audit', 'target.register'],
    ['/projections', 'sessions'],
    ['/sessions', 'bootstrap-admin'],
  ];
  it.each(PAGES)('%s renders live data and has no serious accessibility violation', async (path, text) => {
    await go(path);
    await page.getByText(text).filter({ visible: true }).first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('the pending count turns red, and success rates are coloured green ≥ 99 %, neutral ≥ 90 %, red below', async () => {
    await go('/jobs');
    const pending = page.locator('tr[data-job="bulk-import"] td.pending-large');
    await pending.waitFor();
    expect(Number(await pending.getAttribute('data-pending'))).toBeGreaterThan(10);
    expect(await pending.evaluate((el) => (globalThis as any).getComputedStyle(el).color)).toBe('rgb(163, 35, 26)');
    expect(await page.locator('tr[data-job="etl-orders"] td.pending-large').count()).toBe(0);
    await go('/system');
    const band = (job: string) => page.locator(`tr[data-job="${job}"] td.rate`);
    await band('etl-orders').waitFor();
    expect(await band('nightly-report').getAttribute('data-band')).toBe('green');
    expect(await band('etl-orders').getAttribute('data-band')).toBe('neutral');
    expect(await band('flaky-sync').getAttribute('data-band')).toBe('red');
    expect(await band('flaky-sync').evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor)).toBe('rgb(251, 230, 228)');
    expect(await band('nightly-report').evaluate((el) => (globalThis as any).getComputedStyle(el).backgroundColor)).toBe('rgb(227, 243, 231)');
  });

  it("an action's dialog requires a reason; the action then shows up in the audit page", async () => {
    await go('/targets/instance::eu-2');
    await page.getByRole('button', { name: 'Reset breaker' }).click();
    const dialog = page.getByRole('dialog', { name: /Reset the breaker/ });
    await dialog.getByRole('button', { name: 'Reset breaker' }).click();
    await dialog.getByText('A reason is required').waitFor();
    expect(await auditHas('target.reset_breaker', 'upstream fixed')).toBeUndefined();
    await dialog.getByLabel(/Reason/).fill('upstream fixed');
    await dialog.getByRole('button', { name: 'Reset breaker' }).click();
    await page.getByRole('status').filter({ hasText: 'Breaker reset' }).waitFor();
    await go('/audit');
    const row = page.locator('tr[data-action="target.reset_breaker"]');
    await row.getByText('upstream fixed').waitFor();
    expect(await row.getByText('bootstrap-admin').count()).toBe(1);
  });

  it('runs a job now with parameters and a required reason; a manualRun=false job explains why it cannot', async () => {
    await go('/jobs');
    const disabled = page.locator('tr[data-job="ledger-close"]').getByRole('button', { name: 'Run now' });
    expect(await disabled.isDisabled()).toBe(true);
    await page
      .locator('tr[data-job="ledger-close"]')
      .getByText(/manualRun=false/)
      .waitFor();
    await page.locator('tr[data-job="etl-orders"]').getByRole('button', { name: 'Run now' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run etl-orders now' });
    await dialog.getByLabel('Dry run').check();
    await dialog.getByLabel('Tenant').fill('globex');
    await dialog.getByRole('button', { name: 'Run now' }).click();
    await dialog.getByText('A reason is required').waitFor();
    await dialog.getByLabel(/Reason/).fill('replay after fix');
    await dialog.getByRole('button', { name: 'Run now' }).click();
    await page.getByRole('status').filter({ hasText: 'Queued run' }).waitFor();
    const runs = (await t.request('GET', '/api/runs?job=etl-orders&limit=1')).body.runs;
    expect(runs[0]).toMatchObject({ reason: 'replay after fix', params: { dryRun: true, tenant: 'globex' }, actor: 'bootstrap-admin' });
    await audited('job.run', 'replay after fix');
  });

  it('actions are reachable by keyboard alone: poll now on a target, then cancel all pending with its confirmation', async () => {
    await go('/targets/instance::eu-1');
    await page.getByRole('button', { name: 'Poll now' }).waitFor();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)) === 'Poll now') break;
    }
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: /Poll instance::eu-1 now/ });
    await dialog.waitFor();
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('checking after deploy');
    await page.keyboard.press('Tab'); // Cancel
    await page.keyboard.press('Tab'); // Poll now
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Poll requested' }).waitFor();
    await audited('target.poll_now', 'checking after deploy');

    await go('/system');
    await page.locator('[data-card="pending"] .card-value').getByText(/1\d/).waitFor();
    await page.getByRole('button', { name: 'Cancel all pending' }).focus();
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Cancel every waiting run' });
    await page.keyboard.type('partner feed withdrawn');
    await page.keyboard.press('Tab'); // Cancel
    await page.keyboard.press('Tab'); // Cancel all pending
    await page.keyboard.press('Enter');
    await confirm.getByText('Tick the confirmation first.').waitFor();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+Tab'); // Cancel, the reason, the confirmation
    await page.keyboard.press('Space');
    expect(await confirm.getByLabel(/I understand/).isChecked()).toBe(true);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: /Cancelled 1\d/ })
      .waitFor();
    await page.locator('[data-card="pending"] .card-value').getByText('0', { exact: true }).waitFor();
    await audited('system.cancel_pending', 'partner feed withdrawn');
  });

  it('rebuilds a projection from its page and shows when it was rebuilt', async () => {
    await go('/projections');
    const row = page.locator('tr[data-projection="tokens"]');
    await row.getByRole('button', { name: 'Rebuild' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rebuild tokens' });
    await dialog.getByLabel(/Reason/).fill('console check');
    await dialog.getByRole('button', { name: 'Rebuild' }).click();
    await row.getByText(/rebuilt/).waitFor({ timeout: 15_000 });
    await audited('projection.rebuild', 'console check');
  });

  it('the time slider sets ?at= for every page: the targets and jobs show the recorded past, under a banner', async () => {
    await go('/timeline');
    const slider = page.locator('#time-slider');
    await slider.waitFor();
    const start = Number(await slider.getAttribute('data-start'));
    const span = Number(await slider.getAttribute('data-span'));
    const value = Math.floor(((Date.parse(seeded.before) - start) / span) * 1000);
    await slider.fill(String(value));
    await page.waitForURL(/\?at=/);
    await page.getByRole('region', { name: 'Viewing the past' }).waitFor();
    await page.getByRole('link', { name: 'Targets' }).click();
    await page.waitForURL(/\/targets\?at=/);
    await page.locator('tr[data-key="instance::eu-2"]').waitFor();
    expect(await page.locator('tr[data-key="instance::late"]').count()).toBe(0);
    await page.getByRole('link', { name: 'Jobs' }).click();
    const pastPending = page.locator('tr[data-job="bulk-import"] td[data-pending]');
    await pastPending.waitFor();
    expect(await pastPending.getAttribute('data-pending')).toBe('0');
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByText(/has no\s+\?at=\s+in the API/).waitFor();
    await page.getByRole('button', { name: 'Back to live' }).click();
    await page.getByRole('link', { name: 'Targets' }).click();
    await page.locator('tr[data-key="instance::late"]').waitFor();
    expect(await page.getByRole('region', { name: 'Viewing the past' }).count()).toBe(0);
  });

  it('the event stream updates an open page without a reload', async () => {
    await go('/targets');
    await page.getByText('Live', { exact: true }).waitFor();
    await page.evaluate(() => ((globalThis as any).__sameDocument = true));
    const res = await t.request('POST', '/api/targets', {
      body: { type: 'instance', name: 'sse-new', probe: { kind: 'http', url: `${up.base}/ok` }, reason: 'stream test' },
    });
    expect(res.status).toBe(201);
    await page.locator('tr[data-key="instance::sse-new"]').waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => (globalThis as any).__sameDocument)).toBe(true);
  });

  it('a viewer sees no action buttons and no admin pages', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const viewer = await ctx.newPage();
    await signInThroughPage(viewer, t.url, seeded.viewerToken);
    const nav = viewer.getByRole('navigation', { name: 'Pages' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'Attention',
      'Targets',
      'Dead letters',
      'Jobs',
      'Runs',
      'Failures',
      'Timeline',
      'Holds',
      'SLOs',
      'Toolbelt',
    ]);
    for (const [path, text] of [
      ['/targets/instance::eu-2', 'Why it polls when it does'],
      ['/jobs', 'etl-orders'],
      ['/jobs/etl-orders', 'exit code 2'],
      ['/dead-letters', 'permanent_failure'],
    ]) {
      await viewer.goto(t.url + path);
      await viewer.getByText(text).first().waitFor();
      expect(await viewer.locator('main button', { hasNotText: /^(Refresh|Reading…|Show log tail|Hide log tail)$/ }).allTextContents()).toEqual([]);
    }
    await ctx.close();
  });

  it("a tenant's session sees only its tenant; with the stream blocked the console says it polls", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const acme = await ctx.newPage();
    await acme.route('**/api/stream', (route) => route.abort());
    await signInThroughPage(acme, t.url, seeded.acmeToken);
    await acme.getByText('Stream down: polling every 30 s').waitFor();
    await acme.goto(`${t.url}/targets`);
    await acme.locator('tr[data-key="instance::acme-1"]').waitFor();
    expect(await acme.locator('tbody tr[data-key]').evaluateAll((rows) => rows.map((r) => (r as any).getAttribute('data-key')))).toEqual(['instance::acme-1']);
    await acme.goto(`${t.url}/jobs`);
    await acme.locator('tr[data-job="acme-billing"]').waitFor();
    expect(await acme.locator('tbody tr[data-job]').count()).toBe(1);
    await acme.goto(`${t.url}/runs`);
    await acme.locator('tbody').getByText('acme-billing').first().waitFor();
    expect(
      await acme
        .locator('tbody tr[data-run]')
        .evaluateAll((rows) => rows.map((r) => (r as any).textContent as string).filter((x) => !x?.includes('acme-billing'))),
    ).toEqual([]);
    await ctx.close();
  });

  it('sign-out ends the session: the cookie no longer works and the log says sign-out', async () => {
    const cookie = (await admin.cookies()).find((c) => c.name === 'opsledger_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const res = await fetch(`${t.url}/api/auth/whoami`, { headers: { cookie: `opsledger_session=${cookie.value}` } });
    expect(res.status).toBe(401);
    const ended = (await t.db.pool.query(`SELECT data FROM events WHERE type = 'SessionEnded' AND data->>'reason' = 'sign-out'`)).rows;
    expect(ended.length).toBeGreaterThan(0);
  });
});
