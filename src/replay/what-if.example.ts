/** The example response shown in OpenAPI and docs/api.md, "What-if replay". */
export const WHAT_IF_EXAMPLE = {
  window: { from: '2026-11-25T13:00:00.000Z', to: '2026-11-25T14:00:00.000Z' },
  policy: {
    configured: {
      breaker: { failureThreshold: 5, openBaseMs: 5000, openMaxMs: 300000 },
      deadLetter: { streak: 5, retryScheduleSeconds: [300, 900, 3600, 14400, 43200, 86400] },
      jobs: { maxAttempts: 'as recorded per run', backoffBaseMs: 'as recorded per run', backoffMaxMs: 'as recorded per run' },
    },
    whatIf: {
      breaker: { failureThreshold: 3, openBaseMs: 5000, openMaxMs: 300000 },
      deadLetter: { streak: 5, retryScheduleSeconds: [300, 900, 3600, 14400, 43200, 86400] },
      jobs: { maxAttempts: 5, backoffBaseMs: 'as recorded per run', backoffMaxMs: 'as recorded per run' },
    },
  },
  targets: [
    {
      key: 'instance::eu-1',
      actual: { breakerOpens: 4, timeOpenSeconds: 75, deadLetterEntries: 1, deadLetterRetries: 2, pollsSkipped: 0 },
      whatIf: { breakerOpens: 5, timeOpenSeconds: 155, deadLetterEntries: 1, deadLetterRetries: 2, pollsSkipped: 3 },
    },
  ],
  jobs: [
    {
      job: 'nightly-report',
      runs: 3,
      actual: { retries: 4, deadLetters: 1, retryWaitSeconds: 210 },
      whatIf: { retries: 6, deadLetters: 0, retryWaitSeconds: 690 },
      whatIfUnknownOutcomes: 1,
    },
  ],
  totals: {
    targets: {
      actual: { breakerOpens: 4, timeOpenSeconds: 75, deadLetterEntries: 1, deadLetterRetries: 2, pollsSkipped: 0 },
      whatIf: { breakerOpens: 5, timeOpenSeconds: 155, deadLetterEntries: 1, deadLetterRetries: 2, pollsSkipped: 3 },
    },
    jobs: {
      actual: { retries: 4, deadLetters: 1, retryWaitSeconds: 210 },
      whatIf: { retries: 6, deadLetters: 0, retryWaitSeconds: 690 },
      whatIfUnknownOutcomes: 1,
    },
  },
  eventsReplayed: 1874,
  notes: [
    'actual is derived from the BreakerOpened, … events recorded in the window.',
    '1 failed attempt(s) would have been retried beyond the recorded attempts: those retries are counted, their outcomes are unknown.',
  ],
};
