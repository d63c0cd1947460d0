/** The signing-secret sealer (WebhookSecrets), built from the config and server keys. */
export const WEBHOOK_SECRETS = Symbol('WEBHOOK_SECRETS');
