import { Webhook } from 'standardwebhooks';
import { WebhookSecrets } from './webhook-secret';

describe('webhook signing secrets', () => {
  const fallback = Buffer.from('test-token-hash-key-0123456789abcdef0123');

  it('seals and opens a generated secret; the sealed text does not contain it', () => {
    const s = new WebhookSecrets(undefined, fallback);
    const secret = WebhookSecrets.generate();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(() => new Webhook(secret)).not.toThrow();
    const sealed = s.seal(secret);
    expect(sealed.sealed).not.toContain(secret.slice(6, 20));
    expect(s.open(sealed)).toBe(secret);
  });

  it('another key, or an altered text, opens nothing', () => {
    const sealed = new WebhookSecrets(undefined, fallback).seal(WebhookSecrets.generate());
    const other = new WebhookSecrets('another-webhook-secrets-key-0123456789ab', fallback);
    expect(other.keyId).not.toBe(sealed.keyId);
    expect(other.open(sealed)).toBeNull();
    expect(other.open({ ...sealed, keyId: other.keyId })).toBeNull();
    const s = new WebhookSecrets(undefined, fallback);
    const flipped = Buffer.from(sealed.sealed, 'base64url');
    flipped[flipped.length - 1] ^= 1;
    expect(s.open({ ...sealed, sealed: flipped.toString('base64url') })).toBeNull();
  });
});
