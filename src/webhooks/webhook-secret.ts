import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { keyId } from '../secrets/key-fingerprints';
import type { SealedSecret } from './webhook.events';

/**
 * Signing secrets must be readable again to sign each delivery (Standard Webhooks signs with
 * HMAC-SHA256 under the shared secret), so unlike tokens they cannot be stored as digests: the
 * log keeps them sealed with AES-256-GCM under a server key that never enters the database.
 */
export class WebhookSecrets {
  private readonly key: Buffer;
  readonly keyId: string;

  /** `dedicated`: WEBHOOK_SECRETS_KEY; else a key derived from TOKEN_HASH_KEY (`fallback`). */
  constructor(dedicated: string | undefined, fallback: Buffer) {
    const base = dedicated ? Buffer.from(dedicated, 'utf8') : fallback;
    this.key = Buffer.from(hkdfSync('sha256', base, Buffer.alloc(0), 'opsledger webhook signing secrets v1', 32));
    this.keyId = keyId(this.key);
  }

  /** A new secret in the Standard Webhooks form: `whsec_` and base64 of 32 random bytes. */
  static generate(): string {
    return `whsec_${randomBytes(32).toString('base64')}`;
  }

  seal(secret: string): SealedSecret {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return { sealed: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url'), keyId: this.keyId };
  }

  /** The secret, or null when another key sealed it (the key was changed) or the text was altered. */
  open(s: SealedSecret): string | null {
    if (s.keyId !== this.keyId) return null;
    try {
      const raw = Buffer.from(s.sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  }
}
