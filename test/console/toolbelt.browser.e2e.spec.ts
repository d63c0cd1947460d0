import { Browser, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { ensureConsoleBuilt, launchChromium, seriousA11yViolations, signInThroughPage } from './browser';
import { FakeUpstream, startUpstream } from './console-seed';
import { fillCache, seedToolbelt, ToolbeltSeeded, toolbeltEnv } from './toolbelt-seed';

/**
 * The toolbelt pages and the loop pauses in Debian's Chromium against one real service: webhook
 * deliveries that failed against a receiver on 127.0.0.1, a real Redis cache, flags, overrides.
 * One browser and one server for the file; each action goes through its reason dialog and is then
 * found on the audit page.
 */
describe('console toolbelt in Chromium', () => {
  let t: TestApp;
  let up: FakeUpstream;
  let seeded: ToolbeltSeeded;
  let browser: Browser;
  let page: Page;
  const redisUrl = `${process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'}/6`;
  const go = (path: string) => page.goto(t.url + path);
  const auditHas = async (action: string, reason: string) =>
    ((await t.request('GET', `/api/audit?action=${action}`)).body.items as { reason: string }[]).some((a) => a.reason === reason);
  const audited = (action: string, reason: string) => waitFor(`audit entry ${action}: ${reason}`, () => auditHas(action, reason));
  /** Opens an action's dialog, checks that it refuses to go on without a reason, then gives one. */
  const withReason = async (button: string, dialogName: string | RegExp, reason: string, fill?: (dialog: ReturnType<Page['getByRole']>) => Promise<void>) => {
    const dialog = page.getByRole('dialog', { name: dialogName });
    await dialog.waitFor();
    await fill?.(dialog);
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await dialog.getByText('A reason is required').waitFor();
    await dialog.getByLabel(/Reason/).fill(reason);
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    up = await startUpstream();
    await fillCache(redisUrl);
    t = await startTestApp({ ...toolbeltEnv(redisUrl), POLL_SCHEDULER_ENABLED: 'false', STREAM_HEARTBEAT_MS: '2000' });
    seeded = await seedToolbelt((m, p, b, tok) => t.request(m, p, { body: b, token: tok }), up);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signInThroughPage(page, t.url, t.adminToken);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await up?.close();
  });

  const PAGES: [string, string | RegExp][] = [
    ['/webhooks', 'TargetRegistered'],
    ['/flags', 'export.batch-size'],
    ['/caches', 'Cache pages'],
    ['/rate-limits', 'backfill after outage'],
    ['/migrations', 'ConsoleSessions1764000000019'],
    ['/system', 'Poll scheduler'],
  ];
  it.each(PAGES)('%s renders live data and has no serious accessibility violation', async (path, text) => {
    await go(path);
    await page.getByText(text).filter({ visible: true }).first().waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('the toolbelt has its own navigation; migrations say whether the deploy has settled', async () => {
    await go('/migrations');
    const sub = page.getByRole('navigation', { name: 'Toolbelt' });
    expect(await sub.getByRole('link').allTextContents()).toEqual([
      'Webhooks',
      'Flags',
      'Caches',
      'Rate limits',
      'Maintenance',
      'Migrations',
      'Projections',
      'Sessions',
    ]);
    expect(await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Toolbelt' }).getAttribute('aria-current')).toBe('page');
    const status = (await t.request('GET', '/api/system/migrations')).body;
    await page.locator(`.settled[data-settled="${status.settled}"]`).waitFor();
    await page.locator('tr[data-migration="ConsoleSessions1764000000019"]').getByText('applied').waitFor();
  });

  it('webhook failures inbox: replay, suppress and mark handled, each with its reason, each in the audit page', async () => {
    await go('/webhooks');
    const [a, b, c] = seeded.failures;
    const act = async (id: string, button: string, dialog: RegExp, reason: string) => {
      await page.locator(`tr[data-delivery="${id}"]`).getByRole('checkbox').check();
      await page.getByRole('button', { name: new RegExp(`^${button} selected \\(1\\)$`) }).click();
      await withReason(button, dialog, reason);
      await page
        .getByRole('status')
        .filter({ hasText: new RegExp(`1$`) })
        .first()
        .waitFor();
    };
    await act(a, 'Replay', /Replay 1 failed delivery/, 'receiver is back');
    await act(b, 'Suppress', /Suppress 1 failed delivery/, 'duplicate of a manual fix');
    await act(c, 'Mark handled', /Mark handled 1 failed delivery/, 'synced by hand');
    await page.getByLabel('Status').selectOption('all');
    for (const [id, status] of [
      [a, 'replayed'],
      [b, 'suppressed'],
      [c, 'handled'],
    ])
      await page.locator(`tr[data-delivery="${id}"]`).getByText(status, { exact: true }).waitFor();
    const failures = (await t.request('GET', '/api/webhooks/failures?status=all')).body.items as { id: string; status: string }[];
    expect(Object.fromEntries(failures.filter((f) => [a, b, c].includes(f.id)).map((f) => [f.id, f.status]))).toEqual({
      [a]: 'replayed',
      [b]: 'suppressed',
      [c]: 'handled',
    });
    await audited('webhook.replay', 'receiver is back');
    await go('/audit');
    for (const [action, reason] of [
      ['webhook.replay', 'receiver is back'],
      ['webhook.suppress', 'duplicate of a manual fix'],
      ['webhook.handle', 'synced by hand'],
    ])
      await page.locator(`tr[data-action="${action}"]`).getByText(reason).waitFor();
  });

  it('flags: set with a reason (the history shows it), then clear', async () => {
    await go('/flags');
    const row = page.locator('tr[data-flag="checkout.new-flow"]');
    await row.getByRole('button', { name: 'Set' }).click();
    await withReason('Set', 'Set checkout.new-flow', 'canary for the 18:00 release', async (d) => {
      await d.getByLabel('Value').selectOption('true');
    });
    await row.getByText('true', { exact: true }).waitFor();
    expect((await t.request('GET', '/api/flags/checkout.new-flow')).body).toMatchObject({ value: true, source: 'set', setBy: 'bootstrap-admin' });
    await row.getByRole('button', { name: 'History' }).click();
    await row
      .getByRole('list', { name: 'History of checkout.new-flow' })
      .getByText(/FlagValueSet by bootstrap-admin/)
      .waitFor();
    await row.getByRole('button', { name: 'Clear' }).click();
    await withReason('Clear', 'Clear checkout.new-flow', 'canary finished');
    await row.getByText('default', { exact: true }).waitFor();
    await audited('flag.set', 'canary for the 18:00 release');
    await audited('flag.clear', 'canary finished');
  });

  it('caches: a purge starts with a reason, shows its progress, and is cancelled with a reason', async () => {
    await go('/caches');
    await page.getByRole('button', { name: 'Purge', exact: true }).click();
    await withReason('Purge', 'Purge keys of cache pages', 'stale pages after the redesign', async (d) => {
      await d.getByLabel('Pattern', { exact: true }).fill('page:*');
    });
    const row = page.locator('tr[data-purge]').first();
    await row.getByText('running').waitFor();
    // Progress is recorded every 500 ms: the removed count moves while the page is open.
    await waitFor('the purge to report removed keys', async () => Number(await row.locator('td.num').nth(1).textContent()) > 0);
    await row.getByRole('button', { name: 'Cancel purge' }).click();
    await withReason('Cancel purge', /Cancel the purge of pattern page:\*/, 'wrong pattern');
    await row.getByText('cancelled').waitFor();
    await audited('cache.purge', 'stale pages after the redesign');
    await audited('cache.purge_cancel', 'wrong pattern');
  });

  it('rate limits: grant an override with a reason, then revoke it', async () => {
    await go('/rate-limits');
    await page.getByRole('button', { name: 'Grant override' }).click();
    const until = new Date(Date.now() + 2 * 3_600_000).toISOString().slice(0, 16);
    await withReason('Grant override', 'Grant a rate-limit override', 'partner import tonight', async (d) => {
      await d.getByLabel('Tenant').fill('globex');
      await d.getByLabel(/Limit/).fill('900');
      await d.getByLabel(/Until/).fill(until);
    });
    const row = page.locator('tr[data-override]', { hasText: 'tenant globex' });
    await row.getByText('active').waitFor();
    await row.getByRole('button', { name: 'Revoke' }).click();
    await withReason('Revoke', 'Revoke the override for tenant globex', 'import done');
    await row.getByText('revoked', { exact: true }).waitFor();
    await audited('rate_limit.override', 'partner import tonight');
    await audited('rate_limit.override_revoke', 'import done');
  });

  it('the whole job worker pauses and resumes from the system page, by keyboard alone', async () => {
    await go('/system');
    const row = page.locator('tr[data-loop="job-worker"]');
    await row.getByText('running', { exact: true }).waitFor();
    await row.getByRole('button', { name: 'Pause' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Pause the job workers of the whole installation' });
    await dialog.waitFor();
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.type('deploying the new SMTP relay');
    await page.keyboard.press('Tab'); // Cancel
    await page.keyboard.press('Tab'); // Pause
    await page.keyboard.press('Enter');
    await row.getByText('paused', { exact: true }).waitFor();
    expect((await t.request('GET', '/api/ops/health')).body.pauses).toEqual([expect.objectContaining({ loop: 'job-worker', pausedBy: 'bootstrap-admin' })]);
    await row.getByRole('button', { name: 'Resume' }).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type('deployed');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await row.getByText('running', { exact: true }).waitFor();
    await audited('loop.pause', 'deploying the new SMTP relay');
    await audited('loop.resume', 'deployed');
  });

  it('a viewer sees the flags without action buttons, and no admin tool', async () => {
    const viewerToken = (await t.request('POST', '/api/auth/tokens', { body: { name: 'wall-screen', role: 'viewer', reason: 'console test' } })).body.token;
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const viewer = await ctx.newPage();
    await signInThroughPage(viewer, t.url, viewerToken);
    await viewer.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: 'Toolbelt' }).click();
    await viewer.locator('tr[data-flag="export.batch-size"]').waitFor();
    expect(await viewer.getByRole('navigation', { name: 'Toolbelt' }).getByRole('link').allTextContents()).toEqual(['Flags', 'Maintenance']);
    expect(await viewer.locator('main button', { hasNotText: /^(Refresh|Reading…)$/ }).allTextContents()).toEqual([]);
    await ctx.close();
  });
});
