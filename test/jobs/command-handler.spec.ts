import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommand } from '../../src/jobs/handlers/command.handler';
import { waitFor } from '../support/wait-for';

const node = process.execPath;
// Command handlers make no HTTP requests: a fetch that says so if one ever did.
const noFetch = () => Promise.reject(new Error('a command handler must not fetch'));
const ctx = (signal: AbortSignal, logTailBytes = 65_536) => ({
  runId: 'r',
  job: 'j',
  attempt: 1,
  params: { a: 1 },
  signal,
  logTailBytes,
  killGraceMs: 300,
  fetch: noFetch,
});

describe('command handler (real child processes)', () => {
  it('a 100 MB output keeps a bounded log tail and does not grow memory', async () => {
    // 100 × 1 MiB of "x", then a last line we must see in the tail.
    const script =
      'const b = Buffer.alloc(1 << 20, 120); let i = 0; const w = () => { while (i < 100) { i++; if (!process.stdout.write(b)) return process.stdout.once("drain", w); } process.stdout.write("\\nTHE END\\n"); }; w();';
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const r = await runCommand({ kind: 'command', argv: [node, '-e', script], env: [], cwd: process.cwd() }, ctx(new AbortController().signal));
    clearInterval(sampler);
    expect(r).toMatchObject({ ok: true, exitCode: 0, error: null });
    expect(r.logTail.endsWith('THE END\n')).toBe(true);
    expect(Buffer.byteLength(r.logTail)).toBeLessThan(65_536 + 100);
    expect(r.logTail).toMatch(/^\[… \d+ earlier bytes dropped\]/);
    const grownMb = (peak - rss0) / 1024 / 1024;
    process.stdout.write(`100 MB output: RSS grew by ${grownMb.toFixed(1)} MB at peak\n`);
    expect(grownMb).toBeLessThan(40); // the output is 100 MB: holding it would show
  });

  it('passes only allow-listed environment plus the run context; no shell', async () => {
    process.env.OPSLEDGER_TEST_ALLOWED = 'yes';
    process.env.OPSLEDGER_TEST_SECRET = 'no';
    const r = await runCommand(
      {
        kind: 'command',
        argv: [
          node,
          '-e',
          'console.log(JSON.stringify([process.env.OPSLEDGER_TEST_ALLOWED, process.env.OPSLEDGER_TEST_SECRET, process.env.OPSLEDGER_PARAMS, process.argv[1]]))',
          '$HOME;echo',
        ],
        env: ['OPSLEDGER_TEST_ALLOWED'],
        cwd: process.cwd(),
      },
      ctx(new AbortController().signal),
    );
    expect(JSON.parse(r.logTail)).toEqual(['yes', null, '{"a":1}', '$HOME;echo']);
  });

  it('a non-zero exit is a failure with the exit code; abort sends SIGTERM', async () => {
    const fail = await runCommand(
      { kind: 'command', argv: [node, '-e', 'console.error("bad"); process.exit(3)'], env: [], cwd: process.cwd() },
      ctx(new AbortController().signal),
    );
    expect(fail).toMatchObject({ ok: false, exitCode: 3, error: 'exit code 3' });
    // The command says it runs (a marker file), then is cancelled: SIGTERM stops it at once.
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'opsledger-cmd-')), 'running');
    const ac = new AbortController();
    const running = runCommand(
      {
        kind: 'command',
        argv: [node, '-e', 'require("fs").writeFileSync(JSON.parse(process.env.OPSLEDGER_PARAMS).marker, ""); setInterval(() => {}, 1000)'],
        env: [],
        cwd: process.cwd(),
      },
      { ...ctx(ac.signal), params: { marker } },
    );
    await waitFor('the command to run', () => existsSync(marker), 10_000, 20);
    const aborted = Date.now();
    ac.abort('cancel');
    const cancelled = await running;
    expect(cancelled.ok).toBe(false);
    expect(cancelled.error).toMatch(/^cancel: stopped with SIGTERM/);
    expect(Date.now() - aborted).toBeLessThan(2000);
  });
});
