import type { Schema } from './json-schema';

/** JSON Schema of GET /api/monitoring/scheduler/health, written from the documented field tables. */
const ts: Schema = { type: 'string', format: 'date-time' };
const tsOrNull: Schema = { type: ['string', 'null'], format: 'date-time' };
const count: Schema = { type: 'integer', minimum: 0 };

export const schedulerHealthSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['updatedAt', 'enabled', 'queue', 'deadLetter', 'breakers', 'staleness', 'instances'],
  properties: {
    updatedAt: ts,
    enabled: { type: 'boolean' },
    queue: {
      type: 'object',
      additionalProperties: false,
      required: ['depth', 'dueWithinSeconds', 'perType'],
      properties: { depth: count, dueWithinSeconds: count, perType: { type: 'object', additionalProperties: count } },
    },
    deadLetter: {
      type: 'object',
      additionalProperties: false,
      required: ['count', 'tasks'],
      properties: {
        count,
        tasks: {
          type: 'array',
          maxItems: 25,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['instance', 'type', 'nextRun', 'lastError', 'failures'],
            properties: { instance: { type: 'string' }, type: { type: 'string' }, nextRun: tsOrNull, lastError: { type: ['string', 'null'] }, failures: count },
          },
        },
      },
    },
    breakers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['instance', 'type', 'state', 'failures', 'retryAt'],
        properties: {
          instance: { type: 'string' },
          type: { type: 'string' },
          state: { enum: ['closed', 'open', 'half_open', 'unknown'] },
          failures: count,
          retryAt: tsOrNull,
        },
      },
    },
    staleness: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['instance', 'type', 'score', 'lastSuccess', 'lastError'],
        properties: {
          instance: { type: 'string' },
          type: { type: 'string' },
          score: { type: 'number', minimum: 0, maximum: 1 },
          lastSuccess: tsOrNull,
          lastError: tsOrNull,
        },
      },
    },
    instances: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'type', 'displayName', 'instance', 'connection', 'pollStatus', 'breaker', 'deadLetter'],
        properties: {
          key: { type: 'string', pattern: '^[^:]+::.+$' },
          type: { type: 'string' },
          displayName: { type: 'string' },
          instance: { type: 'string' },
          connection: { type: 'string' },
          pollStatus: {
            type: 'object',
            additionalProperties: false,
            required: ['lastSuccess', 'lastError', 'consecutiveFailures', 'firstFailureAt'],
            properties: {
              lastSuccess: tsOrNull,
              lastError: {
                oneOf: [
                  { type: 'null' },
                  {
                    type: 'object',
                    additionalProperties: false,
                    required: ['at', 'message', 'category'],
                    properties: { at: ts, message: { type: 'string' }, category: { enum: ['transient', 'permanent', 'config'] } },
                  },
                ],
              },
              consecutiveFailures: count,
              firstFailureAt: tsOrNull,
            },
          },
          breaker: {
            type: 'object',
            additionalProperties: false,
            required: ['state', 'since', 'lastTransition', 'retryAt', 'failureCount'],
            properties: {
              state: { enum: ['closed', 'open', 'half_open', 'unknown'] },
              since: tsOrNull,
              lastTransition: tsOrNull,
              retryAt: tsOrNull,
              failureCount: count,
            },
          },
          deadLetter: {
            oneOf: [
              { type: 'object', additionalProperties: false, required: ['present'], properties: { present: { const: false } } },
              {
                type: 'object',
                additionalProperties: false,
                required: ['present', 'reason', 'firstAttempt', 'lastAttempt', 'retryCount', 'nextRetry'],
                properties: {
                  present: { const: true },
                  reason: { enum: ['max_retry_attempts', 'permanent_failure', 'config_error'] },
                  firstAttempt: tsOrNull,
                  lastAttempt: tsOrNull,
                  retryCount: count,
                  nextRetry: tsOrNull,
                },
              },
            ],
          },
        },
      },
    },
  },
};
