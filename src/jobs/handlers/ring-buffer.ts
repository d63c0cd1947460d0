/**
 * Keeps only the last `capacity` bytes written, in a fixed buffer: a command printing 100 MB costs
 * the same memory as one printing 64 KiB.
 */
export class RingBuffer {
  private readonly buf: Buffer;
  private end = 0; // next write offset
  private full = false;
  total = 0;

  constructor(readonly capacity: number) {
    this.buf = Buffer.alloc(capacity);
  }

  write(chunk: Buffer | string): void {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.total += data.length;
    const src = data.length > this.capacity ? data.subarray(data.length - this.capacity) : data;
    const first = Math.min(src.length, this.capacity - this.end);
    src.copy(this.buf, this.end, 0, first);
    if (first < src.length) {
      src.copy(this.buf, 0, first);
      this.end = src.length - first;
      this.full = true;
    } else {
      this.end += first;
      if (this.end === this.capacity) {
        this.end = 0;
        this.full = true;
      }
    }
    if (data.length > this.capacity) this.full = true;
  }

  toString(): string {
    const body = this.full ? Buffer.concat([this.buf.subarray(this.end), this.buf.subarray(0, this.end)]) : this.buf.subarray(0, this.end);
    const dropped = this.total - body.length;
    return (dropped > 0 ? `[… ${dropped} earlier bytes dropped]\n` : '') + body.toString('utf8');
  }
}
