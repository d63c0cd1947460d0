import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';

/** Every route the app serves (from its own OpenAPI document) has a section in docs/api.md. */
describe('docs/api.md', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  it('documents every endpoint as "METHOD /path" with an example', async () => {
    const doc = readFileSync(path.resolve(__dirname, '../../docs/api.md'), 'utf8');
    const spec = (await t.request('GET', '/api/docs/json', { token: null })).body;
    const routes = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes.filter((r) => !doc.includes(r));
    expect(missing).toEqual([]);
  });
});
