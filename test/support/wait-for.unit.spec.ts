import { stripVTControlCharacters } from 'node:util';
import { TestClock } from './test-clock';
import { waitFor, WaitTimeoutError } from './wait-for';

describe('waitFor', () => {
  it('returns the first truthy value of the condition', async () => {
    let tries = 0;
    await expect(waitFor('the third try', () => ++tries >= 3 && { tries }, 1000, 1)).resolves.toEqual({ tries: 3 });
  });

  it('keeps trying while the condition throws, and returns once it passes', async () => {
    let n = 0;
    const v = await waitFor(
      'n reaches 2',
      () => {
        n++;
        expect(n).toBeGreaterThanOrEqual(2);
        return n;
      },
      1000,
      1,
    );
    expect(v).toBe(2);
  });

  it('on timeout shows the last failing expect, diff included, not a bare "timed out"', async () => {
    const err = await waitFor(
      'the answer',
      () => {
        expect({ answer: 41 }).toEqual({ answer: 42 });
        return true;
      },
      30,
      5,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    const message = stripVTControlCharacters((err as Error).message); // without colours, in a terminal too
    expect(message).toMatch(/^timed out after 30 ms \(\d+ tries\) waiting for the answer; the last try failed:\n/);
    expect(message).toContain('toEqual');
    expect(message).toMatch(/-\s+"answer": 42,[\s\S]*\+\s+"answer": 41,/);
  });

  it('on timeout shows the last falsy result, and points at the caller', async () => {
    const err = (await waitFor('a row', async () => null, 20, 5).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/waiting for a row; the last try returned null$/);
    expect(err.stack?.split('\n')[1]).toContain('wait-for.unit.spec.ts');
  });
});

describe('TestClock', () => {
  it('stopped: stands still until moved', async () => {
    const c = TestClock.stopped('2026-01-01T12:00:00Z');
    await new Promise((r) => setTimeout(r, 5)); // real time passes; the clock does not
    expect(c.now().toISOString()).toBe('2026-01-01T12:00:00.000Z');
    c.advance(1500);
    expect(c.now().toISOString()).toBe('2026-01-01T12:00:01.500Z');
    c.set('2026-01-02T00:00:00Z');
    expect(c.ms()).toBe(Date.parse('2026-01-02T00:00:00Z'));
  });

  it('running: runs with real time from where it was started, and jumps when moved', async () => {
    const c = TestClock.running('2026-01-01T12:00:00Z');
    const t0 = c.ms();
    expect(t0 - Date.parse('2026-01-01T12:00:00Z')).toBeLessThan(1000);
    await waitFor('the clock to move with real time', () => c.ms() > t0, 1000, 1);
    c.advance(60_000);
    expect(c.ms() - t0).toBeGreaterThanOrEqual(60_000);
  });
});
