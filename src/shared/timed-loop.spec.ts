import { TimedLoop } from './timed-loop';

const until = async (what: string, ok: () => boolean, timeoutMs = 5000) => {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('timed loop: a step every interval, never overlapping, stopped cleanly', () => {
  it('runs at once with runNow, then every interval; a failing step is reported and the loop goes on', async () => {
    let steps = 0;
    const errors: unknown[] = [];
    const loop = new TimedLoop({
      everyMs: 20,
      runNow: true,
      step: async () => {
        if (++steps === 2) throw new Error('boom');
      },
      onError: (e) => void errors.push(e),
    });
    loop.start();
    await until('four steps', () => steps >= 4);
    await loop.stop();
    expect(errors).toEqual([new Error('boom')]);
  });

  it('waits one interval first without runNow; wake() runs a step early', async () => {
    let steps = 0;
    const loop = new TimedLoop({ everyMs: 60_000, step: async () => void steps++, onError: () => undefined });
    loop.start();
    await new Promise((r) => setTimeout(r, 30));
    expect(steps).toBe(0);
    loop.wake();
    await until('the woken step', () => steps === 1);
    await loop.stop();
  });

  it('never overlaps a slow step, and stop() waits for the step in flight and runs no more', async () => {
    let running = 0;
    let most = 0;
    let steps = 0;
    let release: () => void = () => undefined;
    const loop = new TimedLoop({
      everyMs: 1,
      runNow: true,
      step: async () => {
        steps++;
        most = Math.max(most, ++running);
        await new Promise<void>((r) => (release = r));
        running--;
      },
      onError: () => undefined,
    });
    loop.start();
    await until('the first step', () => steps === 1);
    loop.wake();
    const stopped = loop.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false); // the step in flight holds stop() back
    release();
    await stopped;
    expect({ steps, most, running }).toEqual({ steps: 1, most: 1, running: 0 });
  });
});
