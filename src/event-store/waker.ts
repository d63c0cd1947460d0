/** Lets readers sleep until something is appended, or until a timeout as the fallback. */
export interface Waker {
  /** Resolves on the next wake-up or after `ms`, whichever comes first. */
  wait(ms: number, signal?: AbortSignal): Promise<void>;
}

export class LocalWaker implements Waker {
  private waiters = new Set<() => void>();

  wake(): void {
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
