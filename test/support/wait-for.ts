import { inspect } from 'node:util';

/** A wait that ran out of time: says what it waited for, and what the last try saw or threw. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
}

/**
 * Waits on a fact, not on time: tries `condition` every `intervalMs` until it returns a truthy
 * value, and returns that value. A try that throws (a failing `expect`, a refused connection)
 * counts as "not yet"; if time runs out, the error names `description` and shows the last try's
 * failure in full (an `expect` diff included) or its last falsy result, so a wait that never
 * comes true says why. A condition that only asserts ends with `return true`.
 *
 * The default ceiling is generous (30 s) because a wait ends as soon as its fact holds: only a
 * failing wait pays it, and a loaded CI machine no longer turns slow-but-right into red.
 *
 *   await waitFor('run succeeded', async () => (await state(id)) === 'succeeded');
 *   const row = await waitFor('the row', async () => (await q()).rows[0]);
 *   await waitFor('both hooks called', () => { expect(hooks).toHaveLength(2); return true; });
 */
export async function waitFor<T>(
  description: string,
  condition: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const started = Date.now();
  // Where the wait was called: the timeout error points there, not into this helper.
  const caller = new Error().stack?.split('\n').slice(2).join('\n') ?? '';
  let tries = 0;
  let last: { threw: true; error: unknown } | { threw: false; value: unknown } = { threw: false, value: undefined };
  for (;;) {
    tries++;
    try {
      const value = await condition();
      if (value) return value;
      last = { threw: false, value };
    } catch (error) {
      last = { threw: true, error };
    }
    if (Date.now() - started >= timeoutMs) {
      const seen = last.threw ? `the last try failed:\n${describeError(last.error)}` : `the last try returned ${inspect(last.value, { depth: 4 })}`;
      const err = new WaitTimeoutError(
        `timed out after ${timeoutMs} ms (${tries} tries) waiting for ${description}; ${seen}`,
        last.threw ? { cause: last.error } : undefined,
      );
      err.stack = `${err.name}: ${err.message}\n${caller}`;
      throw err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.message || String(err);
  return inspect(err, { depth: 4 });
}
