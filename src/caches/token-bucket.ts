/**
 * A token bucket: `rate` tokens a second, holding at most `capacity` (the burst). `reserve(n)`
 * takes n tokens at once, going into debt if need be, and answers how long the caller must wait
 * before acting on them; callers that wait so never exceed the rate on average. Pure: time comes in.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly rate: number,
    readonly capacity: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.at = nowMs;
  }

  /** Milliseconds to wait before using `n` tokens taken now. */
  reserve(n: number, nowMs: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.at) / 1000) * this.rate);
    this.at = nowMs;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }
}
