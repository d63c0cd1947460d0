import { LocalWaker, sleep } from './waker';

const elapsed = async (p: Promise<void>) => {
  const t0 = Date.now();
  await p;
  return Date.now() - t0;
};

describe('waker: sleep until a timeout or a wake-up, cancellable', () => {
  it('resolves after the timeout when nobody wakes it', async () => {
    expect(await elapsed(new LocalWaker().wait(30))).toBeGreaterThanOrEqual(25);
  });

  it('a wake-up ends every wait in progress at once', async () => {
    const w = new LocalWaker();
    const waits = [w.wait(60_000), w.wait(60_000)];
    w.wake();
    expect(await elapsed(Promise.all(waits).then(() => undefined))).toBeLessThan(1000);
  });

  it('an abort ends the wait, and a wait on an aborted signal returns at once', async () => {
    const abort = new AbortController();
    const waiting = new LocalWaker().wait(60_000, abort.signal);
    abort.abort();
    expect(await elapsed(waiting)).toBeLessThan(1000);
    expect(await elapsed(sleep(60_000, abort.signal))).toBeLessThan(1000);
  });

  it('without a latch a wake-up with nobody waiting is lost; with one the next wait returns at once, once', async () => {
    const plain = new LocalWaker();
    plain.wake();
    expect(await elapsed(plain.wait(40))).toBeGreaterThanOrEqual(35);

    const latched = new LocalWaker({ latch: true });
    latched.wake();
    expect(await elapsed(latched.wait(60_000))).toBeLessThan(1000);
    expect(await elapsed(latched.wait(40))).toBeGreaterThanOrEqual(35);
  });
});
