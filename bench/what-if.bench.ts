/**
 * `npm run bench:what-if`: the pure what-if replay (WhatIfReplay: both sides, the deciders, the
 * tallies) over an in-memory log of BENCH_WHATIF_TARGETS (2,000 × BENCH_SCALE) targets each going
 * through a 7-poll incident plus as many 3-attempt job runs, next to the reference: folding the same
 * events with the targets and job-runs projections (what a rebuild does per event). Prints events/s
 * of both and the ratio. No database: it measures the replay's CPU cost; reading the window is a
 * cursor over the log (see bench:history for log read rates). Bounded by the counts above.
 */
import { randomUUID } from 'node:crypto';
import { foldInMemory } from '../projections/projection';
import { jobRunsProjection } from '../projections/job-runs/job-runs.projection';
import { targetsProjection } from '../projections/targets/targets.projection';
import type { RecordedEvent } from '../src/event-store/envelope';
import { configuredPolicy, resolvePolicy } from '../src/replay/what-if-policy';
import { WhatIfReplay } from '../src/replay/what-if.replay';
import { loadConfig } from '../src/config/config';
import { pollRules } from '../src/polling/poll-rules';
import { ctxOf, runHistory, targetHistory } from '../test/replay/synthetic-history';
import { ratioOf, writeResults } from './result-file';
import { SCALE } from './support';

const TARGETS = Math.max(10, Math.round(Number(process.env.BENCH_WHATIF_TARGETS ?? 2000 * SCALE)));
const ROUNDS = 5;
const INCIDENT = [0, 1000, 2000, 3500, 6000].map((at) => ({ at, ok: false })).concat([16_500, 17_500].map((at) => ({ at, ok: true })));

function buildLog(): RecordedEvent[] {
  const ctx = ctxOf({ failureThreshold: 3, openBaseMs: 1000, openMaxMs: 4000 }, { streak: 5, retryScheduleMs: [10_000, 20_000] });
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const out: RecordedEvent[] = [];
  let position = 0n;
  const add = (stream: string, events: { type: string; data: unknown; metadata?: Record<string, unknown> }[], rev: { n: bigint }) => {
    for (const e of events) {
      position++;
      const at = new Date(String((e.metadata as { occurredAt?: string })?.occurredAt ?? new Date(t0).toISOString()));
      out.push({
        eventId: randomUUID(),
        streamId: stream,
        revision: rev.n++,
        position,
        type: e.type,
        schemaVersion: 1,
        data: e.data,
        metadata: { occurredAt: at.toISOString() },
        recordedAt: at,
        checkpoint: String(position),
      });
    }
  };
  for (let i = 0; i < TARGETS; i++) {
    const trev = { n: 0n };
    for (const a of targetHistory(`t${i}`, t0 + i, INCIDENT, ctx)) add(a.stream, a.events as never, trev);
    const rrev = { n: 0n };
    for (const a of runHistory(`job${i % 50}`, t0 + i, ['fail', 'fail', 'fail'], { maxAttempts: 3, backoffBaseMs: 1000 }))
      add(a.stream, a.events as never, rrev);
  }
  return out.sort((a, b) => Date.parse(a.metadata.occurredAt) - Date.parse(b.metadata.occurredAt) || Number(a.position - b.position));
}

function best(fn: () => void): number {
  let min = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

const log = buildLog();
const cfg = loadConfig({
  BREAKER_FAILURE_THRESHOLD: '3',
  BREAKER_OPEN_BASE_MS: '1000',
  BREAKER_OPEN_MAX_MS: '4000',
  DEAD_LETTER_STREAK: '5',
  DEAD_LETTER_RETRY_SCHEDULE: '10,20',
});
const { breaker: _b, deadLetter: _d, ...intervals } = pollRules(cfg.polling);
const scope = { fromMs: Date.parse('2025-12-31T00:00:00Z'), toMs: Date.parse('2026-01-02T00:00:00Z'), tenant: null };
const replay = (policy: Parameters<typeof resolvePolicy>[0]) => {
  const r = new WhatIfReplay(resolvePolicy(policy, configuredPolicy(cfg.polling)), intervals, scope, new Map());
  for (const e of log) r.feed(e);
  return r.result();
};

const same = replay({});
if (JSON.stringify(same.totals.targets.actual) !== JSON.stringify(same.totals.targets.whatIf))
  throw new Error('the configured policy did not reproduce history');
const refMs = best(() => {
  foldInMemory(targetsProjection, log, new Map());
  foldInMemory(jobRunsProjection, log, new Map());
});
const sameMs = best(() => replay({}));
const strictMs = best(() => replay({ breaker: { failureThreshold: 2 }, deadLetter: { streak: 3 }, jobs: { maxAttempts: 5 } }));
const rate = (ms: number) => Math.round(log.length / (ms / 1000));
console.log(`what-if replay over ${log.length} events (${TARGETS} targets, ${TARGETS} runs), best of ${ROUNDS}:`);
console.log(`  reference (targets + job-runs projection fold): ${rate(refMs).toLocaleString('en')} events/s (${refMs.toFixed(0)} ms)`);
console.log(
  `  what-if, configured policy:                     ${rate(sameMs).toLocaleString('en')} events/s (${sameMs.toFixed(0)} ms)  ratio ${(sameMs / refMs).toFixed(2)}× the reference time`,
);
console.log(
  `  what-if, stricter policy:                       ${rate(strictMs).toLocaleString('en')} events/s (${strictMs.toFixed(0)} ms)  ratio ${(strictMs / refMs).toFixed(2)}× the reference time`,
);
writeResults('what-if', [
  {
    work: `what-if replay, configured policy, ${log.length.toLocaleString('en-US')} events (in memory)`,
    figure: rate(sameMs),
    unit: 'events/s',
    reference: 'targets + job-runs projection fold',
    referenceFigure: rate(refMs),
    ratio: ratioOf(rate(sameMs), rate(refMs)),
    goal: null,
  },
  {
    work: 'what-if replay, stricter policy',
    figure: rate(strictMs),
    unit: 'events/s',
    reference: 'targets + job-runs projection fold',
    referenceFigure: rate(refMs),
    ratio: ratioOf(rate(strictMs), rate(refMs)),
    goal: null,
  },
]);
