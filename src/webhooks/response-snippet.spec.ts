import { readSnippet, redactSnippet } from './response-snippet';

const stream = (text: string) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(Buffer.from(text));
      c.close();
    },
  });

describe('response snippet', () => {
  it('replaces credentials, bearer tokens, prefixed keys and long opaque runs', () => {
    const text =
      'error: bad request; Authorization: Bearer abcdefghijklmnop token=s3cr3t-value password: hunter22 key whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw sig ' +
      'a'.repeat(40);
    const out = redactSnippet(text);
    for (const secret of ['abcdefghijklmnop', 's3cr3t-value', 'hunter22', 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'a'.repeat(40)])
      expect(out).not.toContain(secret);
    expect(out).toContain('error: bad request');
    expect(out).toContain('token=[redacted]');
  });

  it('keeps at most maxBytes, without control characters; an empty body is null', async () => {
    expect(await readSnippet(stream('x'.repeat(10) + '\u0007\u0000' + 'y'.repeat(1000)), 16)).toBe('xxxxxxxxxxyyyy');
    expect(await readSnippet(stream('   '), 16)).toBeNull();
    expect(await readSnippet(stream('anything'), 0)).toBeNull();
    expect(await readSnippet(null, 16)).toBeNull();
  });
});
