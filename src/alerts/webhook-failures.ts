/**
 * The shared counter of failed webhook delivery attempts (src/webhooks adds to it): the
 * webhook_failures_spike alert counts it across processes.
 */
export const WEBHOOK_FAILURE_COUNTER = 'webhook_delivery_failure';
