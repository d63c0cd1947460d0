import fastJson from 'fast-json-stringify';
import type { SchedulerHealthBody } from '../src/health/health-views.service';

/**
 * The JSON Schema of GET /api/monitoring/scheduler/health for fast-json-stringify (Fastify's own
 * serialiser, what a route's `schema.response` compiles to), so bench:health can time it against
 * JSON.stringify on the same 10,000-instance body: on Node 20 JSON.stringify is ~4× faster on this
 * string-heavy body, so the service serialises with it (ADR 0016).
 */
const str = { type: 'string' } as const;
const int = { type: 'integer', minimum: 0 } as const;
const time = { type: 'string', format: 'date-time' } as const;
const timeOrNull = { type: 'string', format: 'date-time', nullable: true } as const;
const breakerState = { type: 'string', enum: ['closed', 'open', 'half_open', 'unknown'] } as const;

export const SCHEDULER_HEALTH_SCHEMA = {
  type: 'object',
  required: ['updatedAt', 'enabled', 'queue', 'deadLetter', 'breakers', 'staleness', 'instances'],
  properties: {
    updatedAt: time,
    enabled: { type: 'boolean' },
    queue: {
      type: 'object',
      properties: { depth: int, dueWithinSeconds: int, perType: { type: 'object', additionalProperties: int } },
    },
    deadLetter: {
      type: 'object',
      properties: {
        count: int,
        tasks: {
          type: 'array',
          maxItems: 25,
          items: {
            type: 'object',
            properties: { instance: str, type: str, nextRun: timeOrNull, lastError: { type: 'string', nullable: true }, failures: int },
          },
        },
      },
    },
    breakers: {
      type: 'array',
      items: { type: 'object', properties: { instance: str, type: str, state: breakerState, failures: int, retryAt: timeOrNull } },
    },
    staleness: {
      type: 'array',
      items: {
        type: 'object',
        properties: { instance: str, type: str, score: { type: 'number', minimum: 0, maximum: 1 }, lastSuccess: timeOrNull, lastError: timeOrNull },
      },
    },
    instances: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          key: str,
          type: str,
          displayName: str,
          instance: str,
          connection: str,
          pollStatus: {
            type: 'object',
            properties: {
              lastSuccess: timeOrNull,
              lastError: {
                type: 'object',
                nullable: true,
                properties: { at: time, message: str, category: { type: 'string', enum: ['transient', 'permanent', 'config'] } },
              },
              consecutiveFailures: int,
              firstFailureAt: timeOrNull,
            },
          },
          breaker: {
            type: 'object',
            properties: { state: breakerState, since: timeOrNull, lastTransition: timeOrNull, retryAt: timeOrNull, failureCount: int },
          },
          // `{ present: false }`, or every field: absent fields are left out.
          deadLetter: {
            type: 'object',
            properties: {
              present: { type: 'boolean' },
              reason: { type: 'string', enum: ['max_retry_attempts', 'permanent_failure', 'config_error'] },
              firstAttempt: timeOrNull,
              lastAttempt: timeOrNull,
              retryCount: int,
              nextRetry: timeOrNull,
            },
          },
        },
      },
    },
  },
};

/** Precompiled from SCHEDULER_HEALTH_SCHEMA. */
export const serializeSchedulerHealth: (body: SchedulerHealthBody) => string = fastJson(SCHEDULER_HEALTH_SCHEMA as Parameters<typeof fastJson>[0]);
