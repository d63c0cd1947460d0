import { spec } from '../../test/support/given';
import { CreateSubscription, DeleteSubscription, subscriptionDecider } from './webhook-subscription.decider';
import type { WebhookSubscriptionEvent } from './webhook.events';

const now = new Date('2026-11-26T10:00:00Z');
const secret = { sealed: 'c2VhbGVk', keyId: '0123456789abcdef' };
const create: CreateSubscription = {
  kind: 'create',
  subscriptionId: 's1',
  tenant: 'acme',
  url: 'https://hooks.example.com/in',
  eventTypes: ['RunFailed', 'AlertFired', 'RunFailed'],
  secret,
  maxConcurrency: null,
  description: null,
  source: 'api',
  actor: 'alice',
  now,
};
const del: DeleteSubscription = { kind: 'delete', subscriptionId: 's1', callerTenant: null, reason: 'receiver retired', actor: 'bob', now };
const created: WebhookSubscriptionEvent = {
  type: 'WebhookSubscriptionCreated',
  data: {
    subscriptionId: 's1',
    tenant: 'acme',
    url: 'https://hooks.example.com/in',
    eventTypes: ['AlertFired', 'RunFailed'],
    secret,
    maxConcurrency: null,
    description: null,
    source: 'api',
    createdBy: 'alice',
    createdAt: now.toISOString(),
  },
};
const { given } = spec(subscriptionDecider);

describe('webhook subscription decider', () => {
  it('given nothing, when created, then records the subscription with its event types deduplicated and sorted', () => {
    given().when(create).then([created]);
  });

  it('refuses an event type that is not a public event type, naming eventTypes and the type', () => {
    expect(
      given()
        .when({ ...create, eventTypes: ['RunFailed', 'RunExploded'] })
        .thenRejects('invalid', 'eventTypes').reason,
    ).toMatch(/^unknown event type "RunExploded"; one of RunEnqueued, /);
    given()
      .when({ ...create, eventTypes: ['OperatorActionRecorded'] })
      .thenRejects('invalid', 'eventTypes');
    given()
      .when({ ...create, eventTypes: ['WebhookDeliveryFailed'] })
      .thenRejects('invalid', 'eventTypes');
    given()
      .when({ ...create, eventTypes: [] })
      .thenRejects('invalid', 'eventTypes');
  });

  it('refuses a URL that is not absolute http(s) or carries credentials, naming url', () => {
    for (const url of ['ftp://x.example.com/', 'hooks.example.com/in', 'https://user:pw@hooks.example.com/', `https://x.example.com/${'a'.repeat(2000)}`])
      given()
        .when({ ...create, url })
        .thenRejects('invalid', 'url');
  });

  it('refuses a concurrency limit outside 1..100, naming maxConcurrency', () => {
    given()
      .when({ ...create, maxConcurrency: 0 })
      .thenRejects('invalid', 'maxConcurrency');
    given()
      .when({ ...create, maxConcurrency: 3 })
      .then([{ ...created, data: { ...created.data, maxConcurrency: 3 } } as WebhookSubscriptionEvent]);
  });

  it('given a subscription, when deleted, then records who and why; again is not found', () => {
    const deleted: WebhookSubscriptionEvent = {
      type: 'WebhookSubscriptionDeleted',
      data: { subscriptionId: 's1', tenant: 'acme', reason: 'receiver retired', deletedBy: 'bob', deletedAt: now.toISOString() },
    };
    given(created).when(del).then([deleted]);
    given(created, deleted).when(del).thenRejects('not_found');
  });

  it("another tenant's subscription is not found for a scoped caller; its own is deleted", () => {
    expect(
      given(created)
        .when({ ...del, callerTenant: 'globex' })
        .thenRejects('not_found').reason,
    ).toBe('no webhook subscription s1');
    expect(
      given(created)
        .when({ ...del, callerTenant: 'acme' })
        .state(),
    ).toEqual({ status: 'deleted', tenant: 'acme' });
  });
});
