import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { RecordedEvent } from '../event-store/envelope';
import { pollRules } from '../polling/poll-rules';
import { Clock, CLOCK } from '../shared/clock';
import { BadInput } from '../shared/errors';
import { LOGGER } from '../shared/logger';
import type { WhatIfDto } from './what-if.dto';
import { configuredPolicy, describePolicy, resolvePolicy } from './what-if-policy';
import { WhatIfComparison, WhatIfReplay } from './what-if.replay';
import { WhatIfReader } from './what-if.reader';

export type WhatIfReport = WhatIfComparison & {
  readonly window: { readonly from: string; readonly to: string };
  readonly policy: { readonly configured: ReturnType<typeof describePolicy>; readonly whatIf: ReturnType<typeof describePolicy> };
  readonly notes: string[];
};

export class WhatIfQuery extends Query<WhatIfReport> {
  constructor(
    readonly body: WhatIfDto,
    /** A tenant-scoped caller sees only its tenant's targets and jobs. */
    readonly tenant: string | null,
  ) {
    super();
  }
}

const NOTES = [
  'actual is derived from the BreakerOpened, BreakerHalfOpened/Closed/Reset, TargetDeadLettered, DeadLetterRetryFailed, TargetRecovered, PollSkipped, RetryScheduled and RunDeadLettered events recorded in the window.',
  'whatIf feeds each recorded poll outcome and job attempt result to the same deciders (targetDecider, runDecider) with the policy; every target and run starts from its recorded state at the window start.',
  'A recorded poll that the what-if breaker (before its retryAt) or dead-letter wait (before nextRetry) would have refused counts in whatIf.pollsSkipped and its outcome is not fed; polls the what-if would have made in addition were never made, so they are not counted. Operator actions (poll-now, reset, redrive) are replayed as recorded.',
  'timeOpenSeconds is the time the breaker refused probes: from opening until its retryAt or an earlier reset, within the window (a retryAt after now counts as planned).',
  'A run that the what-if dead-letters earlier is not fed its later recorded attempts. A failed attempt after which the what-if would retry but no further attempt was recorded counts as a retry; its outcome is unknown (whatIfUnknownOutcomes), and it is not a dead-letter.',
  "Job rules left out of the policy are each run's own, as recorded at enqueue (the job definition, or the JOB_* defaults).",
];

/**
 * POST /api/replay/what-if: the recorded poll outcomes and job results of a window, run through
 * the same deciders with another policy, next to what happened. Reads only; appends nothing.
 */
@QueryHandler(WhatIfQuery)
export class WhatIfHandler implements IQueryHandler<WhatIfQuery> {
  constructor(
    private readonly reader: WhatIfReader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async execute({ body, tenant }: WhatIfQuery): Promise<WhatIfReport> {
    const from = new Date(body.from);
    const to = new Date(body.to);
    const now = this.clock.now();
    if (Number.isNaN(from.getTime())) throw BadInput.field('from', 'is not a valid date');
    if (Number.isNaN(to.getTime())) throw BadInput.field('to', 'is not a valid date');
    if (from >= now) throw BadInput.field('from', `must be in the past (now is ${now.toISOString()})`);
    if (to <= from) throw BadInput.field('to', 'must be after from');
    const maxDays = this.config.replay.maxWindowDays;
    if (to.getTime() - from.getTime() > maxDays * 86_400_000) throw BadInput.field('to', `must be at most ${maxDays} days after from (REPLAY_MAX_WINDOW_DAYS)`);
    const b = body.policy.breaker;
    const configured = configuredPolicy(this.config.polling);
    const policy = resolvePolicy({ breaker: b, deadLetter: body.policy.deadLetter, jobs: body.policy.jobs }, configured);
    if (policy.breaker.openMaxMs < policy.breaker.openBaseMs) {
      throw BadInput.field(
        b?.openMaxMs !== undefined ? 'policy.breaker.openMaxMs' : 'policy.breaker.openBaseMs',
        `openMaxMs (${policy.breaker.openMaxMs}) must be at least openBaseMs (${policy.breaker.openBaseMs})`,
      );
    }
    const t0 = performance.now();
    const { breaker: _b, deadLetter: _d, ...intervalRules } = pollRules(this.config.polling);
    const replay = new WhatIfReplay(
      policy,
      intervalRules,
      {
        fromMs: from.getTime(),
        toMs: to.getTime(),
        targets: body.targets ? new Set(body.targets) : undefined,
        jobs: body.jobs ? new Set(body.jobs) : undefined,
        tenant,
      },
      await this.reader.targetsAt(from),
    );
    await this.reader.withWindow({ from, to, targets: body.targets, jobs: body.jobs }, async (session) => {
      for (let page = await session.next(); page.length; page = await session.next()) {
        const want = new Map<string, bigint>();
        for (const e of page) if (replay.needsHistory(e) && !want.has(e.streamId)) want.set(e.streamId, e.revision);
        const history = await session.runHistory(want);
        for (const [stream] of want) replay.history(stream, history.get(stream) ?? ([] as RecordedEvent[]));
        for (const e of page) replay.feed(e);
      }
    });
    const result = replay.result();
    const notes = [...NOTES];
    if (result.totals.jobs.whatIfUnknownOutcomes > 0)
      notes.push(
        `${result.totals.jobs.whatIfUnknownOutcomes} failed attempt(s) would have been retried beyond the recorded attempts: those retries are counted, their outcomes are unknown.`,
      );
    this.log.info(
      {
        event: 'replay.what_if',
        from: from.toISOString(),
        to: to.toISOString(),
        events: result.eventsReplayed,
        targets: result.targets.length,
        jobs: result.jobs.length,
        ms: Math.round(performance.now() - t0),
      },
      'what-if replay',
    );
    return {
      window: { from: from.toISOString(), to: to.toISOString() },
      policy: { configured: describePolicy(configured), whatIf: describePolicy(policy) },
      ...result,
      notes,
    };
  }
}
