import { spec } from '../../test/support/given';
import { AttemptResult, deliveryDecider, InboxAction, QueueDelivery, RecordAttempt } from './webhook-delivery.decider';
import type { WebhookDeliveryEvent } from './webhook.events';

const t0 = new Date('2026-11-26T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const queue: QueueDelivery = {
  kind: 'queue',
  deliveryId: 'd1',
  messageId: 'd1',
  subscriptionId: 's1',
  tenant: 'acme',
  eventId: 'e1',
  eventType: 'RunFailed',
  replayOf: null,
  now: t0,
};
const queued: WebhookDeliveryEvent = {
  type: 'WebhookDeliveryQueued',
  data: {
    deliveryId: 'd1',
    messageId: 'd1',
    subscriptionId: 's1',
    tenant: 'acme',
    eventId: 'e1',
    eventType: 'RunFailed',
    replayOf: null,
    queuedAt: t0.toISOString(),
  },
};
const failedAnswer: AttemptResult = { status: 503, durationMs: 12, errorKind: null, error: null, responseSnippet: 'busy' };
const timedOut: AttemptResult = { status: null, durationMs: 100, errorKind: 'http_timeout', error: 'response timed out', responseSnippet: null };
const record = (result: AttemptResult, now: Date): RecordAttempt => ({ kind: 'record', result, retryScheduleMs: [1000, 5000], now });
const common = { deliveryId: 'd1', subscriptionId: 's1', tenant: 'acme' };
const { given } = spec(deliveryDecider);

describe('webhook delivery decider', () => {
  it('given nothing, when queued, then WebhookDeliveryQueued; queueing it again conflicts (once per subscription)', () => {
    given().when(queue).then([queued]);
    given(queued).when(queue).thenRejects('conflict');
  });

  it('a failed attempt with retries left is Attempted with the next time from the schedule; the last is Failed (inbox)', () => {
    const first = given(queued)
      .when(record(failedAnswer, at(10)))
      .then([
        {
          type: 'WebhookDeliveryAttempted',
          data: {
            ...common,
            attempt: 1,
            status: 503,
            durationMs: 12,
            errorKind: 'http_status',
            error: 'HTTP 503',
            responseSnippet: 'busy',
            attemptedAt: at(10).toISOString(),
            nextAttemptAt: at(1010).toISOString(),
          },
        },
      ]);
    const second = given(queued, ...first)
      .when(record(timedOut, at(1020)))
      .then([
        {
          type: 'WebhookDeliveryAttempted',
          data: {
            ...common,
            attempt: 2,
            status: null,
            durationMs: 100,
            errorKind: 'http_timeout',
            error: 'response timed out',
            responseSnippet: null,
            attemptedAt: at(1020).toISOString(),
            nextAttemptAt: at(6020).toISOString(),
          },
        },
      ]);
    const last = given(queued, ...first, ...second).when(record(failedAnswer, at(6100)));
    last.then([
      {
        type: 'WebhookDeliveryFailed',
        data: {
          ...common,
          attempt: 3,
          status: 503,
          durationMs: 12,
          errorKind: 'http_status',
          error: 'HTTP 503',
          responseSnippet: 'busy',
          attemptedAt: at(6100).toISOString(),
          eventType: 'RunFailed',
        },
      },
    ]);
    expect(last.state()).toMatchObject({ status: 'failed', attempts: 3 });
  });

  it('a 2xx answer succeeds and keeps no snippet; nothing is recorded after that', () => {
    const ok = given(queued).when(record({ status: 204, durationMs: 5, errorKind: null, error: null, responseSnippet: 'x' }, at(1)));
    ok.then([
      {
        type: 'WebhookDeliverySucceeded',
        data: { ...common, attempt: 1, status: 204, durationMs: 5, errorKind: null, error: null, responseSnippet: null, attemptedAt: at(1).toISOString() },
      },
    ]);
    given(queued, ...(ok.decision as WebhookDeliveryEvent[]))
      .when(record(failedAnswer, at(2)))
      .thenRejects('conflict');
  });

  it('a 3xx answer is a failure (redirects are not followed)', () => {
    expect(
      (
        given(queued).when(record({ status: 302, durationMs: 1, errorKind: null, error: null, responseSnippet: null }, at(1)))
          .decision as WebhookDeliveryEvent[]
      )[0].type,
    ).toBe('WebhookDeliveryAttempted');
  });

  it('with no retries configured, the first failure is final; a pending delivery of a deleted subscription is dropped', () => {
    expect((given(queued).when({ ...record(timedOut, at(1)), retryScheduleMs: [] }).decision as WebhookDeliveryEvent[])[0].type).toBe('WebhookDeliveryFailed');
    given(queued)
      .when({ kind: 'drop', now: at(1) })
      .then([{ type: 'WebhookDeliveryDropped', data: { ...common, reason: 'subscription_deleted', at: at(1).toISOString() } }]);
  });

  describe('the failures inbox', () => {
    const failed: WebhookDeliveryEvent = {
      type: 'WebhookDeliveryFailed',
      data: {
        ...common,
        attempt: 1,
        status: 500,
        durationMs: 1,
        errorKind: 'http_status',
        error: 'HTTP 500',
        responseSnippet: null,
        attemptedAt: at(1).toISOString(),
        eventType: 'RunFailed',
      },
    };
    const action = (kind: InboxAction['kind'], callerTenant: string | null = null): InboxAction => ({
      kind,
      callerTenant,
      reason: 'receiver fixed',
      actor: 'alice',
      now: at(5),
      ...(kind === 'replay' ? { replayDeliveryId: 'd2' } : {}),
    });
    const base = { deliveryId: 'd1', tenant: 'acme', reason: 'receiver fixed', actor: 'alice', at: at(5).toISOString() };

    it('replay, suppress and handle a failed delivery, each once', () => {
      const replayed = given(queued, failed).when(action('replay'));
      replayed.then([{ type: 'WebhookFailureReplayed', data: { ...base, replayDeliveryId: 'd2' } }]);
      given(queued, failed)
        .when(action('suppress'))
        .then([{ type: 'WebhookFailureSuppressed', data: base }]);
      given(queued, failed)
        .when(action('handle'))
        .then([{ type: 'WebhookFailureHandled', data: base }]);
      const suppressed: WebhookDeliveryEvent = { type: 'WebhookFailureSuppressed', data: base };
      expect(given(queued, failed, suppressed).when(action('replay')).thenRejects('conflict').reason).toMatch(/is suppressed: only a failed delivery/);
      given(queued, failed, ...(replayed.decision as WebhookDeliveryEvent[]))
        .when(action('handle'))
        .thenRejects('conflict');
    });

    it('a delivery that has not failed cannot be acted on; another tenant sees none', () => {
      given(queued).when(action('suppress')).thenRejects('conflict');
      given().when(action('handle')).thenRejects('not_found');
      given(queued, failed).when(action('replay', 'globex')).thenRejects('not_found');
      given(queued, failed)
        .when(action('handle', 'acme'))
        .then([{ type: 'WebhookFailureHandled', data: base }]);
    });
  });
});
