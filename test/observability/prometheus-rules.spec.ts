import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestApp, TestApp } from '../support/test-app';

const RULES = path.resolve(__dirname, '../../docker/prometheus/alerts.yml');
const RULE_TESTS = path.resolve(__dirname, '../../docker/prometheus/alerts.test.yml');

describe('docker/prometheus/alerts.yml', () => {
  it('passes promtool check rules (Debian prometheus package; .ci/run installs it)', () => {
    const out = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: 9 rules found/); // the seven baseline rules and the freshness burn-rate pair
  });

  it('passes its promtool unit tests (alerts.test.yml: the burn-rate pair fires per target only while both windows burn)', () => {
    const out = execFileSync('promtool', ['test', 'rules', RULE_TESTS], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS/);
  });

  describe('against a running opsledger', () => {
    let t: TestApp;
    beforeAll(async () => (t = await startTestApp()));
    afterAll(async () => t.close());

    it('uses only metrics that /metrics exports', async () => {
      const used = new Set(readFileSync(RULES, 'utf8').match(/opsledger_[a-z_]+/g));
      const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.adminToken}` } });
      const exported = new Set([...(await res.text()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
      const missing = [...used].filter((m) => !exported.has(m));
      expect(missing).toEqual([]);
      expect(used.size).toBeGreaterThanOrEqual(6);
    });
  });
});
