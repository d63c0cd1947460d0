import { TOKEN_EVENT_SECRET_FIELDS } from '../auth/token.events';
import { publicEventData } from './event-redaction';

describe('publicEventData', () => {
  it('drops the digest of every token event type, keeping the rest', () => {
    expect(publicEventData('TokenIssued', { tokenId: 't', name: 'ci', hash: 'a'.repeat(64), hashScheme: 'hmac-sha256' })).toEqual({
      tokenId: 't',
      name: 'ci',
      hashScheme: 'hmac-sha256',
    });
    expect(publicEventData('TokenHashRekeyed', { tokenId: 't', hash: 'b'.repeat(64), hashScheme: 'hmac-sha256' })).toEqual({
      tokenId: 't',
      hashScheme: 'hmac-sha256',
    });
    for (const type of Object.keys(TOKEN_EVENT_SECRET_FIELDS))
      expect(JSON.stringify(publicEventData(type, { hash: 'x'.repeat(64) }))).not.toContain('x'.repeat(64));
  });

  it('drops hash and digest of a token event type it does not know yet', () => {
    expect(publicEventData('TokenRenamed', { tokenId: 't', digest: 'd', hash: 'h' })).toEqual({ tokenId: 't' });
  });

  it('leaves other events, and the audit chain MAC, as stored', () => {
    const audit = { action: 'job.run', hash: 'c'.repeat(64), prevHash: '0'.repeat(64) };
    expect(publicEventData('OperatorActionRecorded', audit)).toBe(audit);
    expect(publicEventData('PollFailed', null)).toBeNull();
  });
});
