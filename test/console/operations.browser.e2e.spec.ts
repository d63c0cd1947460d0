import { Browser, Page } from 'playwright-core';
import { startTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';
import { ensureConsoleBuilt, launchChromium, seriousA11yViolations, signInThroughPage } from './browser';
import { OperationsSeed, operationsEnv, seedOperations } from './operations-seed';

/**
 * The operations pages in Debian's Chromium against a real service: the attention list (the
 * landing page), the runs search by text and error signature, failure groups and their bulk retry.
 * One service, one browser for the file.
 */
describe('operations pages in Chromium: attention, runs search, failure groups', () => {
  let t: TestApp;
  let s: OperationsSeed;
  let browser: Browser;
  let page: Page;
  const go = (path: string) => page.goto(t.url + path);
  const runRows = (p: Page) => p.locator('tbody tr[data-run]');
  /** The job of each listed run (the runs table names it under the run's id). */
  const jobsListed = (p: Page) => runRows(p).evaluateAll((rows) => rows.map((r) => (r as any).querySelector('th .small')?.textContent as string));
  const asUser = async (token: string) => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await ctx.newPage();
    await signInThroughPage(p, t.url, token);
    return { p, close: () => ctx.close() };
  };

  beforeAll(async () => {
    ensureConsoleBuilt();
    t = await startTestApp(operationsEnv());
    s = await seedOperations((m, p, b, tok) => t.request(m, p, { body: b, token: tok }));
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signInThroughPage(page, t.url, t.adminToken);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('/ lands on Attention, first in the navigation: it lists the failed job, and its subject opens the failed run', async () => {
    await page.waitForURL(/\/attention$/);
    expect((await page.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents())[0]).toBe('Attention');
    const row = page.locator('tr[data-kind="failed_run"][data-subject="orders-sync"]');
    await row.getByText(/3 failed runs since its last success/).waitFor();
    expect(await row.getByText('warning').count()).toBe(1);
    expect(await row.getByText(/retry it once the cause is fixed/).count()).toBe(1);
    expect(await row.locator('time').count()).toBe(1);
    expect(await page.locator('tr[data-subject="invoice-export"]').count()).toBe(0);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await row.getByRole('link', { name: 'orders-sync' }).click();
    await page.waitForURL(new RegExp(`/runs/${s.latestOrdersRun}$`));
    await page.getByRole('heading', { name: `Run ${s.latestOrdersRun.slice(0, 8)}` }).waitFor();
    await page
      .getByText(/connection refused/)
      .first()
      .waitFor();
  });

  it('the attention list follows the log without a reload, and shows the recorded past under ?at= (all was well then)', async () => {
    await go('/attention');
    await page.locator('tr[data-subject="orders-sync"]').waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await page.evaluate(() => ((globalThis as any).__sameDocument = true));
    expect((await t.request('POST', '/api/jobs/nightly-check/run', { body: { reason: 'attention live test', params: {} } })).status).toBe(202);
    await page.locator('tr[data-kind="failed_run"][data-subject="nightly-check"]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (globalThis as any).__sameDocument)).toBe(true);

    await go(`/attention?at=${encodeURIComponent(s.before)}`);
    await page.getByRole('region', { name: 'Viewing the past' }).waitFor();
    await page.locator('[data-empty="attention"]').getByText('Nothing needed an operator then.').waitFor();
    expect(await page.locator('tr[data-kind="failed_run"]').count()).toBe(0);
    await page.getByRole('button', { name: 'Back to live' }).click();
    await page.locator('tr[data-subject="orders-sync"]').waitFor();
  });

  it('runs search by text and by error signature shows the right runs, with the filters in the URL', async () => {
    await go('/runs');
    await runRows(page).first().waitFor();
    const search = page.getByRole('search', { name: 'Search runs' });
    await search.getByLabel('Text').fill('ab');
    await search.getByLabel('Text').press('Enter');
    await page.getByRole('alert').getByText('Text: 3 to 200 characters.').waitFor();
    await search.getByLabel('Text').fill('connection refused');
    await search.getByLabel('Text').press('Enter');
    await page.waitForURL(/[?&]q=connection\+refused/);
    await waitFor('only the orders-sync runs', async () => (await jobsListed(page)).join() === 'orders-sync,orders-sync,orders-sync');

    // A signature in the table is a link to the same search; the URL alone restores it.
    await page
      .locator('tbody tr[data-run]')
      .first()
      .getByRole('link', { name: `signature ${s.ordersSignature}` })
      .click();
    await page.waitForURL(new RegExp(`signature=${s.ordersSignature}`));
    await page.goto(`${t.url}/runs?signature=${s.acmeSignature}`);
    expect(await search.getByLabel('Error signature').inputValue()).toBe(s.acmeSignature);
    await waitFor('the acme-export run alone', async () => (await jobsListed(page)).join() === 'acme-export');
    await search.getByLabel('Error signature').fill(s.ordersSignature);
    await search.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(new RegExp(`signature=${s.ordersSignature}`));
    await waitFor('the three orders-sync runs', async () => (await jobsListed(page)).join() === 'orders-sync,orders-sync,orders-sync');
    await search.getByLabel('State').selectOption('succeeded');
    await page.waitForURL(/state=succeeded/);
    await page.getByText('No runs.').waitFor();
    expect(page.url()).toContain(`signature=${s.ordersSignature}`);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  it('failure groups: count, first and last seen, sample message, a link to the runs of the signature; no serious a11y violation', async () => {
    await go('/failures');
    const row = page.locator(`tr[data-signature="${s.ordersSignature}"]`);
    await row.getByText('connection refused <ip>:<port> after <n> ms', { exact: false }).waitFor();
    expect(await row.locator('td.num').textContent()).toBe('3');
    expect(await row.locator('time').count()).toBe(2);
    expect(await row.getByText(/e\.g\. exit code 1: connection refused 10\.0\.0\.\d+:5432/).count()).toBe(1);
    expect(await row.getByRole('link', { name: 'orders-sync' }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await row.getByRole('link', { name: /failed runs/ }).click();
    await page.waitForURL(new RegExp(`/runs\\?state=failed&signature=${s.ordersSignature}$`));
    await waitFor('the three failed orders-sync runs', async () => (await jobsListed(page)).join() === 'orders-sync,orders-sync,orders-sync');
  });

  it('bulk retry by keyboard alone: its dialog shows the dry run, requires a reason and the confirmation; the retry is in the audit page', async () => {
    await go('/failures');
    const row = page.locator(`tr[data-signature="${s.ordersSignature}"]`);
    await row.getByRole('button', { name: 'Retry all' }).waitFor();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = (globalThis as any).document.activeElement;
        return `${el?.textContent}|${el?.closest('tr')?.getAttribute('data-signature')}`;
      });
      if (focused === `Retry all|${s.ordersSignature}`) break;
    }
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Retry the failed runs of signature ${s.ordersSignature}` });
    await dialog.getByText('3 failed runs would be retried now').waitFor();
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.tagName)).toBe('TEXTAREA');
    await page.keyboard.press('Tab'); // Cancel
    await page.keyboard.press('Tab'); // Retry all
    await page.keyboard.press('Enter');
    await dialog.getByText('A reason is required').waitFor();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type('orders-db is back after the failover');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await dialog.getByText('Tick the confirmation first.').waitFor();
    expect((await t.request('GET', '/api/audit?action=failures.retry')).body.items).toEqual([]);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+Tab'); // Cancel, the reason, the confirmation
    await page.keyboard.press('Space');
    expect(await dialog.getByLabel('Retry these 3 runs').isChecked()).toBe(true);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Retried 3 runs' }).waitFor();

    const retries = (await t.request('GET', '/api/runs?job=orders-sync&trigger=retry')).body.runs as { reason: string; actor: string }[];
    expect(retries.map((r) => [r.reason, r.actor])).toEqual(Array(3).fill(['orders-db is back after the failover', 'bootstrap-admin']));
    await go('/audit');
    const entry = page.locator('tr[data-action="failures.retry"]');
    await entry.getByText('orders-db is back after the failover').waitFor({ timeout: 15_000 });
    expect(await entry.getByText('bootstrap-admin').count()).toBe(1);
  });

  it('a viewer sees the attention list and the failure groups with no action button', async () => {
    const viewer = await asUser(s.viewerToken);
    try {
      await viewer.p.waitForURL(/\/attention$/);
      await viewer.p.locator('tr[data-subject="orders-sync"]').waitFor();
      expect(await viewer.p.getByRole('navigation', { name: 'Pages' }).getByRole('link').allTextContents()).toEqual(
        expect.arrayContaining(['Attention', 'Failures']),
      );
      const actionButtons = () => viewer.p.locator('main button', { hasNotText: /^(Refresh|Reading…|Search|Clear)$/ }).allTextContents();
      expect(await actionButtons()).toEqual([]);
      await viewer.p.goto(`${t.url}/failures`);
      await viewer.p.locator(`tr[data-signature="${s.ordersSignature}"]`).waitFor();
      expect(await viewer.p.getByRole('columnheader', { name: 'Actions' }).count()).toBe(0);
      expect(await actionButtons()).toEqual([]);
    } finally {
      await viewer.close();
    }
  });

  it('a tenant sees only its tenant: its failed job, its failure group, none of the shared jobs; another tenant is told all is well', async () => {
    const acme = await asUser(s.acmeToken);
    try {
      await acme.p.locator('tr[data-kind="failed_run"][data-subject="acme-export"]').waitFor();
      const subjects = await acme.p.locator('tbody tr[data-kind]').evaluateAll((rows) => rows.map((r) => (r as any).getAttribute('data-subject')));
      expect(subjects).not.toContain('orders-sync');
      expect(subjects).not.toContain('nightly-check');
      await acme.p.goto(`${t.url}/failures`);
      await acme.p.locator(`tr[data-signature="${s.acmeSignature}"]`).waitFor();
      expect(await acme.p.locator('tbody tr[data-signature]').count()).toBe(1);
      // An operator of its tenant may retry its own failures.
      expect(await acme.p.getByRole('button', { name: 'Retry all' }).count()).toBe(1);
      await acme.p.goto(`${t.url}/runs?signature=${s.ordersSignature}`);
      await acme.p.getByText('No runs.').waitFor();
    } finally {
      await acme.close();
    }
    const globex = await asUser(s.globexToken);
    try {
      await globex.p.waitForURL(/\/attention$/);
      await globex.p.locator('[data-empty="attention"]').getByText('Nothing needs an operator now.').waitFor();
      expect(await seriousA11yViolations(globex.p)).toEqual([]);
    } finally {
      await globex.close();
    }
  });
});
