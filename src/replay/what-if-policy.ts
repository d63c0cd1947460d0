import type { PollingConfig } from '../config/polling.env';
import type { BreakerConfig } from '../polling/breaker.decider';
import type { DeadLetterConfig } from '../polling/dead-letter.decider';

/** Job retry rules to replay runs with; an absent field keeps what each run recorded at enqueue. */
export interface JobRetryPolicy {
  readonly maxAttempts?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
}

/** A what-if policy as asked for: every part optional. */
export interface WhatIfPolicyInput {
  readonly breaker?: Partial<BreakerConfig>;
  readonly deadLetter?: { readonly streak?: number; readonly retryScheduleSeconds?: readonly number[] };
  readonly jobs?: JobRetryPolicy;
}

/** The policy the replay runs: polling rules complete, job rules as overrides of the recorded ones. */
export interface WhatIfPolicy {
  readonly breaker: BreakerConfig;
  readonly deadLetter: DeadLetterConfig;
  readonly jobs: JobRetryPolicy;
}

/** The configured polling rules: the policy that produced the recorded history (unless the env changed since). */
export function configuredPolicy(cfg: PollingConfig): WhatIfPolicy {
  return {
    breaker: { failureThreshold: cfg.breakerFailureThreshold, openBaseMs: cfg.breakerOpenBaseMs, openMaxMs: cfg.breakerOpenMaxMs },
    deadLetter: { streak: cfg.deadLetterStreak, retryScheduleMs: cfg.deadLetterRetrySchedule.map((s) => s * 1000) },
    jobs: {},
  };
}

/** Missing parts of the asked policy fall back to the configured ones (jobs: to each run's recorded rules). */
export function resolvePolicy(input: WhatIfPolicyInput | undefined, configured: WhatIfPolicy): WhatIfPolicy {
  const b = input?.breaker ?? {};
  const d = input?.deadLetter ?? {};
  const j = input?.jobs ?? {};
  return {
    breaker: {
      failureThreshold: b.failureThreshold ?? configured.breaker.failureThreshold,
      openBaseMs: b.openBaseMs ?? configured.breaker.openBaseMs,
      openMaxMs: b.openMaxMs ?? configured.breaker.openMaxMs,
    },
    deadLetter: {
      streak: d.streak ?? configured.deadLetter.streak,
      retryScheduleMs: d.retryScheduleSeconds ? d.retryScheduleSeconds.map((s) => Math.round(s * 1000)) : configured.deadLetter.retryScheduleMs,
    },
    jobs: { ...configured.jobs, ...Object.fromEntries(Object.entries(j).filter(([, v]) => v !== undefined)) },
  };
}

/** The policy as the response shows it (seconds, as asked). */
export function describePolicy(p: WhatIfPolicy) {
  return {
    breaker: { ...p.breaker },
    deadLetter: { streak: p.deadLetter.streak, retryScheduleSeconds: p.deadLetter.retryScheduleMs.map((ms) => ms / 1000) },
    jobs: {
      maxAttempts: p.jobs.maxAttempts ?? 'as recorded per run',
      backoffBaseMs: p.jobs.backoffBaseMs ?? 'as recorded per run',
      backoffMaxMs: p.jobs.backoffMaxMs ?? 'as recorded per run',
    },
  };
}
