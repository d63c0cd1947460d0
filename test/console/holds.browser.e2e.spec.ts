import { Browser, Locator, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';
import { TestClock } from '../support/test-clock';
import { waitFor } from '../support/wait-for';
import { ensureConsoleBuilt, launchChromium, seriousA11yViolations, signInThroughPage } from './browser';
import { consoleEnv, FakeUpstream, startUpstream } from './console-seed';
import { registerFailingSlo, registerHealthySlo, registerPausable } from './holds-seed';
import { eventsOf } from './session-client';

/**
 * Pauses, maintenance windows and freshness objectives in Debian's Chromium against one real
 * service: targets polled over HTTP on 127.0.0.1 (one against a server that answers 503), the jobs
 * of the console's config. The app's clock runs with real time and is moved three minutes ahead
 * once, so the failing target has been stale longer than its objective allows. One browser and one
 * server for the file; every action goes through its reason dialog and is then read back.
 */
describe('console holds, maintenance and SLOs in Chromium', () => {
  let t: TestApp;
  let up: FakeUpstream;
  let browser: Browser;
  let page: Page;
  let clock: TestClock;
  let registeredAt = 0;
  const tokens = { viewer: '', acme: '' };
  const go = (path: string) => page.goto(t.url + path);
  const audited = (action: string, reason: string) =>
    waitFor(`audit entry ${action}: ${reason}`, async () =>
      ((await t.request('GET', `/api/audit?action=${action}`)).body.items as { reason: string }[]).some((a) => a.reason === reason),
    );
  /** An action's dialog: refuses to go on without a reason, then goes on with one. */
  const withReason = async (p: Page, button: string, dialogName: string | RegExp, reason: string, fill?: (dialog: Locator) => Promise<void>) => {
    const dialog = p.getByRole('dialog', { name: dialogName });
    await dialog.waitFor();
    await fill?.(dialog);
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await dialog.getByText('A reason is required').waitFor();
    await dialog.getByLabel(/Reason/).fill(reason);
    await dialog.getByRole('button', { name: button, exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  };
  /** A datetime-local value (the console's forms read it as UTC) `ms` after the app's now. */
  const appLocal = (ms: number) => new Date(clock.ms() + ms).toISOString().slice(0, 16);
  const expectNoSeriousA11y = async (p: Page) => expect(await seriousA11yViolations(p)).toEqual([]);

  beforeAll(async () => {
    ensureConsoleBuilt();
    up = await startUpstream();
    clock = TestClock.running();
    t = await startTestApp({ ...consoleEnv(), STREAM_HEARTBEAT_MS: '2000' }, undefined, { clock });
    const api = (m: string, p: string, body?: unknown, token?: string) => t.request(m, p, { body, token });
    registeredAt = clock.ms();
    await registerFailingSlo(api, up);
    await waitFor('the failing target to fail a poll', async () => (await api('GET', '/api/targets/slo::failing')).body.pollStatus.consecutiveFailures > 0);
    // Three minutes on: stale since 60 s after registration, two of its three minutes are stale (objective 99 %).
    clock.advance(180_000);
    await registerHealthySlo(api, up);
    await registerPausable(api, up);
    const token = async (name: string, role: string, tenant?: string) =>
      (await api('POST', '/api/auth/tokens', { name, role, reason: 'holds test', ...(tenant ? { tenant } : {}) })).body.token as string;
    tokens.viewer = await token('wall-screen', 'viewer');
    tokens.acme = await token('acme-ops', 'operator', 'acme');
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signInThroughPage(page, t.url, t.adminToken);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await up?.close();
  });

  it('a target pauses from its drill-in with a reason and a resume time; it shows paused (who, why, until) on the table, the drill-in, Holds and Audit; it resumes by keyboard', async () => {
    const key = 'instance::eu-1';
    await go(`/targets/${key}`);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const until = appLocal(2 * 3_600_000);
    await withReason(page, 'Pause', `Pause ${key}`, 'upstream firmware update', (d) => d.getByLabel(/Resume by itself at/).fill(until));
    await page.locator('[data-hold="pause:target"]', { hasText: /^paused by bootstrap-admin .*: “upstream firmware update” · until/ }).waitFor();
    // The hold is read from the pauses at once; `paused` from the targets read model, which the projection runner catches up.
    const target = await waitFor('the target read model says paused', async () => {
      const body = (await t.request('GET', `/api/targets/${key}`)).body;
      return body.paused === true ? body : null;
    });
    expect(target).toMatchObject({
      paused: true,
      hold: { source: 'pause', scope: 'target', by: 'bootstrap-admin', reason: 'upstream firmware update', until: `${until}:00Z` },
    });
    await go('/targets');
    const row = page.locator(`tr[data-key="${key}"]`);
    await row.getByText('paused', { exact: true }).waitFor();
    await row.getByText('“upstream firmware update”').waitFor();
    await go('/holds');
    await page.locator(`tr[data-pause="target:${key}"]`).getByText('“upstream firmware update”').waitFor();
    await expectNoSeriousA11y(page);
    await go('/audit');
    await page.locator('tr[data-action="target.pause"]').getByText('upstream firmware update').waitFor();

    await go(`/targets/${key}`);
    await page.getByRole('button', { name: 'Resume', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: `Resume ${key}` }).waitFor();
    await page.keyboard.type('firmware updated');
    await page.keyboard.press('Tab'); // Cancel
    await page.keyboard.press('Tab'); // Resume
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    expect((await t.request('GET', `/api/targets/${key}`)).body).toMatchObject({ paused: false, hold: null });
    await audited('target.resume', 'firmware updated');
  });

  it("a job pauses from its drill-in and shows held on the jobs table; a tenant's targets pause from Holds; both resume there", async () => {
    await go('/jobs/nightly-report');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await withReason(page, 'Pause', 'Pause job nightly-report', 'SMTP relay replacement');
    await page.locator('[data-hold="pause:job"]', { hasText: '“SMTP relay replacement”' }).waitFor();
    // Run-now on a held job is refused; an admin may force it.
    await page.getByRole('button', { name: 'Run now', exact: true }).click();
    const run = page.getByRole('dialog', { name: 'Run nightly-report now' });
    await run.getByLabel(/Reason/).fill('report needed before the relay is back');
    await run.getByRole('button', { name: 'Run now' }).click();
    await run
      .getByRole('alert')
      .getByText(/is paused by bootstrap-admin/)
      .waitFor();
    await run.getByLabel(/Run it anyway/).check();
    await run.getByRole('button', { name: 'Run now' }).click();
    await run.waitFor({ state: 'hidden' });
    const enqueued = (await eventsOf(t, 'RunEnqueued')).filter((e) => e.data.job === 'nightly-report');
    expect(enqueued.map((e) => e.data.forced)).toEqual([true]);
    await go('/jobs');
    await page.locator('tr[data-job="nightly-report"]').getByText('“SMTP relay replacement”').waitFor();

    await go('/holds');
    await page.getByRole('button', { name: 'Pause a tenant' }).click();
    await withReason(page, 'Pause a tenant', "Pause a tenant's jobs or targets", 'acme moves its API servers', async (d) => {
      await d.getByLabel('Tenant').fill('acme');
      await d.getByLabel('its jobs').uncheck();
    });
    await page.locator('tr[data-pause="tenant-targets:acme"]').getByText('“acme moves its API servers”').waitFor();
    expect((await t.request('GET', '/api/pauses')).body.pauses.map((p: { scope: string; subject: string }) => `${p.scope}:${p.subject}`)).toEqual([
      'tenant-targets:acme',
      'job:nightly-report',
    ]);
    await go('/targets');
    await page.locator('tr[data-key="instance::acme-1"]').getByText("tenant acme's targets paused", { exact: false }).waitFor();

    await go('/holds');
    for (const [pause, dialog, reason] of [
      ['tenant-targets:acme', 'Resume the targets of tenant acme', 'servers moved'],
      ['job:nightly-report', 'Resume job nightly-report', 'relay replaced'],
    ]) {
      const row = page.locator(`tr[data-pause="${pause}"]`);
      await row.getByRole('button', { name: 'Resume' }).click();
      await withReason(page, 'Resume', dialog, reason);
      await row.waitFor({ state: 'detached' });
    }
    await page.getByText('Nothing is paused.').waitFor();
    expect((await t.request('GET', '/api/jobs/nightly-report')).body.job.hold).toBeNull();
    await audited('job.pause', 'SMTP relay replacement');
    await audited('tenant_targets.pause', 'acme moves its API servers');
    await audited('tenant_targets.resume', 'servers moved');
    await audited('job.resume', 'relay replaced');
  });

  it("maintenance: an admin starts a read-only window for acme; acme's user sees its banner on every page and its writes are refused; the admin ends it", async () => {
    await go('/maintenance');
    await page.getByRole('button', { name: 'Schedule maintenance', exact: true }).click();
    const banner = 'Upgrading the acme shard: changes are paused until 14:00 UTC.';
    await withReason(page, 'Schedule maintenance', 'Schedule maintenance for a tenant', 'PostgreSQL 17 upgrade', async (d) => {
      await d.getByLabel('Tenant').fill('acme');
      await d.getByLabel('Mode').selectOption('read_only');
      await d.getByLabel('Banner').fill(banner);
    });
    const row = page.locator('tr[data-maintenance="acme"]');
    await row.getByText('active', { exact: true }).waitFor();
    await expectNoSeriousA11y(page);

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const acme = await ctx.newPage();
    await signInThroughPage(acme, t.url, tokens.acme);
    const region = acme.getByRole('region', { name: 'Maintenance', exact: true });
    for (const path of ['/targets', '/jobs', '/holds']) {
      await acme.goto(t.url + path);
      await region.getByText(banner).waitFor();
    }
    await expectNoSeriousA11y(acme);
    // A write of the tenant's answers 503 with the window: the dialog says so.
    await acme.goto(`${t.url}/targets/instance::acme-1`);
    await acme.getByRole('button', { name: 'Poll now' }).click();
    const dialog = acme.getByRole('dialog', { name: 'Poll instance::acme-1 now' });
    await dialog.getByLabel(/Reason/).fill('check after the upgrade');
    await dialog.getByRole('button', { name: 'Poll now' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/tenant "acme" is in maintenance \(read_only\)/)
      .waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('button', { name: 'End now' }).click();
    await withReason(page, 'End now', 'End the maintenance of tenant acme', 'upgrade finished early');
    await row.getByText('ended early').waitFor();
    // The end reaches acme's open page through its event stream.
    await region.waitFor({ state: 'detached', timeout: 15_000 });
    await ctx.close();
    await audited('maintenance.schedule', 'PostgreSQL 17 upgrade');
    await audited('maintenance.end', 'upgrade finished early');
  });

  it('SLOs: the target polled against a failing server is breached, the healthy one met; the time slider shows the failing one before it went stale', async () => {
    await go('/slo');
    await page.locator('tr[data-slo="slo::failing"][data-status="breached"]').waitFor();
    await page.locator('tr[data-slo="slo::healthy"][data-status="met"]').waitFor();
    const body = (await t.request('GET', '/api/slo')).body.targets as { key: string; attainment: number }[];
    expect(body.find((s) => s.key === 'slo::failing')!.attainment).toBeLessThan(99);
    await expectNoSeriousA11y(page);
    // 30 s after registration it was fresh still (its objective allows 60 s).
    await go(`/slo?at=${encodeURIComponent(new Date(registeredAt + 30_000).toISOString())}`);
    await page.getByRole('region', { name: 'Viewing the past' }).waitFor();
    await page.locator('tr[data-slo="slo::failing"][data-status="met"]').waitFor();
  });

  it('a viewer sees the holds, maintenance and SLO pages without action buttons', async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const viewer = await ctx.newPage();
    await signInThroughPage(viewer, t.url, tokens.viewer);
    for (const [path, text] of [
      ['/holds', 'Nothing is paused.'],
      ['/maintenance', 'acme'],
      ['/slo', 'slo::failing'],
      ['/targets/instance::eu-1', 'Why it polls when it does'],
      ['/jobs/nightly-report', 'Builds the nightly usage report'],
    ]) {
      await viewer.goto(t.url + path);
      await viewer.getByText(text).first().waitFor();
      expect(await viewer.locator('main button', { hasNotText: /^(Refresh|Reading…|Show log tail|Hide log tail)$/ }).allTextContents()).toEqual([]);
    }
    await ctx.close();
  });
});
