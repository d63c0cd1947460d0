import type { FastifyInstance } from 'fastify';
import { BadInput, FieldProblem } from './errors';

/** Deeper JSON than an operations API needs; also keeps every later recursive walk (validation, jsonb) shallow. */
export const MAX_INPUT_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What PostgreSQL cannot store in text or jsonb, said so a person can fix it; null when fine. */
function stringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000)';
  if (LONE_SURROGATE.test(s)) return 'must be valid Unicode text (it holds a lone UTF-16 surrogate such as \\ud800)';
  return null;
}

const join = (parent: string, key: string) => {
  // A key that is itself unsafe is shown escaped, so the message stays printable.
  const shown = stringProblem(key) || !/^[A-Za-z0-9_$-]+$/.test(key) ? JSON.stringify(key) : key;
  return parent ? `${parent}.${shown}` : shown;
};

/**
 * The first value PostgreSQL would refuse (NUL or a lone surrogate in a string or a key), a
 * non-finite number (JSON's 1e999), or nesting deeper than MAX_INPUT_DEPTH. Iterative, so a
 * deeply nested body cannot overflow the stack. `root` names a bare value (e.g. the body).
 */
export function findUnsafeInput(value: unknown, root: string): FieldProblem | null {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: '', depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    const field = path || root;
    if (typeof v === 'string') {
      const problem = stringProblem(v);
      if (problem) return { field, problem };
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return { field, problem: 'must be a finite number' };
    } else if (v && typeof v === 'object') {
      if (depth >= MAX_INPUT_DEPTH) return { field, problem: `is nested too deeply (at most ${MAX_INPUT_DEPTH} levels)` };
      const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
      // Reverse, so the first problem in document order is the one reported.
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, x] = entries[i];
        const keyProblem = Array.isArray(v) ? null : stringProblem(k);
        if (keyProblem) return { field: join(path, k), problem: `field name ${keyProblem}` };
        stack.push({ v: x, path: join(path, k), depth: depth + 1 });
      }
    }
  }
  return null;
}

/**
 * One check every request passes before any guard, pipe or handler: path parameters, query and
 * body must not hold what PostgreSQL rejects (it would answer 500, after the audit entry may
 * have been written). The answer is the usual 400 naming the field; nothing is appended.
 */
export function rejectUnsafeInput(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (req, reply) => {
    const problem = findUnsafeInput(req.params, 'params') ?? findUnsafeInput(req.query, 'query') ?? findUnsafeInput(req.body, 'body');
    if (problem) {
      const err = new BadInput(`${problem.field}: ${problem.problem}`, [problem]);
      return reply.code(400).send(err.getResponse());
    }
  });
}
