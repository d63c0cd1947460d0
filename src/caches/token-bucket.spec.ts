import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('lets the burst through, then paces to the rate', () => {
    const b = new TokenBucket(100, 100, 0);
    expect(b.reserve(100, 0)).toBe(0); // the burst
    expect(b.reserve(50, 0)).toBe(500); // 50 tokens at 100/s
    expect(b.reserve(50, 0)).toBe(1000); // queued behind the first debt
  });

  it('refills with time, never above capacity', () => {
    const b = new TokenBucket(10, 20, 0);
    expect(b.reserve(20, 0)).toBe(0);
    expect(b.reserve(10, 1000)).toBe(0); // 10 refilled in a second
    expect(b.reserve(20, 60_000)).toBe(0); // refilled to capacity only
    expect(b.reserve(1, 60_000)).toBe(100);
  });

  it('n keys over T seconds of waiting: never faster than the rate after the burst', () => {
    const b = new TokenBucket(200, 200, 0);
    let now = 0;
    for (let i = 0; i < 12; i++) now += b.reserve(50, now);
    // 600 keys: 200 from the burst, 400 at 200/s → 2 s.
    expect(now).toBe(2000);
  });
});
