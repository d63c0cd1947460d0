import { startTestApp, TestApp } from '../support/test-app';

/**
 * A token's name is the actor the audit log shows: it may not pose as the service itself, the
 * bootstrap or a CLI user, and may not hide characters. Each refusal is a 400 naming `name`, and
 * appends nothing.
 */
describe('token names', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startTestApp()));
  afterAll(async () => t.close());

  const state = async () => {
    const { rows } = await t.db.pool.query(`SELECT (SELECT count(*) FROM events)::int AS events, (SELECT count(*) FROM rm_tokens)::int AS tokens`);
    return rows[0];
  };
  /** The body as raw JSON text, so escapes such as a lone surrogate reach the server as sent. */
  const issueRaw = (nameJson: string) => t.request('POST', '/api/auth/tokens', { body: `{"name":${nameJson},"role":"viewer","reason":"name test"}` });

  it.each([
    ['system', '"system"'],
    ['System (case)', '"System"'],
    ['full-width system', '"\\uff53\\uff59\\uff53\\uff54\\uff45\\uff4d"'],
    ['bootstrap-admin', '"bootstrap-admin"'],
    ['a CLI actor', '"cli:root"'],
    ['NUL', '"ad\\u0000min"'],
    ['newline', '"a\\nb"'],
    ['zero-width space', '"ad\\u200bmin"'],
    ['zero-width joiner', '"ad\\u200dmin"'],
    ['right-to-left override', '"nimda\\u202e"'],
    ['line separator', '"a\\u2028b"'],
    ['lone surrogate', '"a\\ud800b"'],
    ['Hangul filler', '"\\u3164"'],
    ['no-break space', '"ali\\u00a0ce"'],
  ])('refuses %s with a 400 naming the field, appending nothing', async (_, nameJson) => {
    const before = await state();
    const r = await issueRaw(nameJson);
    expect(r.status).toBe(400);
    expect(r.body.fields).toEqual([expect.objectContaining({ field: 'name' })]);
    expect(r.body.message).toMatch(/^name: /);
    expect(await state()).toEqual(before);
  });

  it('accepts a visible name in any script', async () => {
    const r = await issueRaw('"Grafana – Zürich 日本"');
    expect(r.status).toBe(201);
    expect(r.body.name).toBe('Grafana – Zürich 日本');
  });
});
