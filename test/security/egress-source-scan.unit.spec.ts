import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');
const EGRESS_DIR = path.join(SRC, 'egress') + path.sep;

/** Ways to send a request without the egress policy. */
const BYPASSES: ReadonlyArray<[string, RegExp]> = [
  ['global fetch', /(?<![\w.$])fetch\s*\(/],
  ['globalThis.fetch', /\bglobalThis\s*\.\s*fetch\b/],
  ['undici', /from\s+['"]undici['"]|require\(\s*['"]undici['"]\s*\)|import\(\s*['"]undici['"]\s*\)/],
  ['node:http(s) client', /\bhttps?\s*\.\s*(request|get)\s*\(|from\s+['"](node:)?https['"]/],
  ['raw socket', /\b(net|tls)\s*\.\s*(connect|createConnection)\s*\(/],
];

/** Comments say "fetch(" freely; code may not. */
const withoutComments = (code: string) => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

function bypassesIn(code: string): string[] {
  const c = withoutComments(code);
  return BYPASSES.filter(([, re]) => re.test(c)).map(([name]) => name);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('every outbound request goes through src/egress', () => {
  it('the scan recognises each bypass and lets the egress fetch through', () => {
    expect(bypassesIn('const res = await fetch(url, { method: "POST" });')).toEqual(['global fetch']);
    expect(bypassesIn('await globalThis.fetch(u)')).toEqual(['globalThis.fetch']);
    expect(bypassesIn("import { request } from 'undici';")).toEqual(['undici']);
    expect(bypassesIn("const { Agent } = require('undici');")).toEqual(['undici']);
    expect(bypassesIn('http.request(opts, cb)')).toEqual(['node:http(s) client']);
    expect(bypassesIn("import https from 'node:https';")).toEqual(['node:http(s) client']);
    expect(bypassesIn('net.connect(5432, host)')).toEqual(['raw socket']);
    expect(bypassesIn('await this.egress.fetch(url); await ctx.fetch(url); // then fetch(x)\n/* fetch(y) */')).toEqual([]);
    expect(bypassesIn("import { STATUS_CODES } from 'node:http';")).toEqual([]);
  });

  it('no file in src/ outside src/egress/ calls fetch, undici, an http(s) client or a raw socket itself', () => {
    const files = tsFiles(SRC).filter((f) => !f.startsWith(EGRESS_DIR));
    expect(files.length).toBeGreaterThan(100);
    const offenders = files.map((f) => [path.relative(SRC, f), bypassesIn(readFileSync(f, 'utf8'))] as const).filter(([, found]) => found.length);
    expect(offenders).toEqual([]);
  });
});
