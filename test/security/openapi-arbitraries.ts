import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the generator reads. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
}
export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema?: Schema;
}
export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body: Schema | null;
}
export interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

export interface GeneratedRequest {
  method: string;
  /** Path with parameters filled in and the query string, percent-encoded. */
  url: string;
  headers: Record<string, string>;
  /** Raw JSON text (may be malformed on purpose), or undefined for none. */
  body?: string;
}

/** Stands for JSON's 1e999 (Infinity once parsed): JSON.stringify cannot write it, the request text can. */
const INFINITY = '__opsledger_fuzz_1e999__';

export function operationsOf(doc: OpenApiDoc): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      parameters: op.parameters ?? [],
      body: op.requestBody?.content['application/json']?.schema ?? null,
    })),
  );
}

/** Values an attacker or a careless client sends: what PostgreSQL cannot store, numbers past any column, odd shapes. */
const nastyString = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfff',
    '\udc00\ud800',
    '',
    ' ',
    '%00',
    '\\u0000',
    "'; DROP TABLE events; --",
    '../../etc/passwd',
    '::',
    'a::b::c',
    '\u202e',
    '💥',
  ),
  fc.constantFrom(
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59Z',
    '1970-01-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-11-25T13:00:00+25:00',
    '-1',
    '1e999',
    '99999999999999999999999',
    'NaN',
  ),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)),
);
const nastyNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 0.01, 1.5, 2 ** 31 - 1, 2 ** 31, 2 ** 53, -(2 ** 53), 1e300, -1e300, Number.MIN_VALUE),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant(INFINITY),
);
const wrongType = fc.oneof(fc.constant(null), fc.boolean(), nastyNumber, nastyString, fc.jsonValue({ maxDepth: 3 }));

const resolve = (doc: OpenApiDoc, s: Schema): Schema => (s.$ref ? resolve(doc, doc.components!.schemas![s.$ref.split('/').pop()!]) : s);

/** A value for a schema: usually of the right type (examples, bounds, enums), sometimes anything at all. */
export function valueFor(doc: OpenApiDoc, schema: Schema, known: readonly unknown[] = [], depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  const typed = ((): fc.Arbitrary<unknown> => {
    const picks = [...(s.example !== undefined ? [s.example] : []), ...(s.enum ?? []), ...known];
    const pick = picks.length ? fc.constantFrom(...picks) : null;
    switch (s.type) {
      case 'string':
        return pick ? fc.oneof({ arbitrary: pick, weight: 3 }, { arbitrary: nastyString, weight: 2 }) : nastyString;
      case 'number':
      case 'integer': {
        const bounds = [s.minimum, s.maximum].filter((b): b is number => b !== undefined).flatMap((b) => [b, b - 1, b + 1]);
        return fc.oneof(fc.constantFrom(...(picks as number[]), ...bounds, 1), nastyNumber);
      }
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(valueFor(doc, s.items ?? {}, [], depth + 1), { maxLength: 4 });
      default:
        if (!s.properties || depth > 4) return fc.jsonValue({ maxDepth: 2 });
        return objectFor(doc, s, depth);
    }
  })();
  return fc.oneof({ arbitrary: typed, weight: 8 }, { arbitrary: wrongType, weight: 1 });
}

function objectFor(doc: OpenApiDoc, s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const props = s.properties ?? {};
  const required = new Set(s.required ?? []);
  const fields = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueFor(doc, v, [], depth + 1)]));
  // Required fields usually present, optional ones sometimes; now and then one missing, or a field nobody declared.
  const drop = required.size ? fc.option(fc.constantFrom(...required), { freq: 6 }) : fc.constant(null);
  const extra = fc.option(fc.tuple(fc.oneof(nastyString, fc.constantFrom('extra', '__proto__', 'constructor')), wrongType), { freq: 6 });
  return fc.tuple(fc.record(fields, { requiredKeys: [...required] }), drop, extra).map(([rec, dropped, added]) => {
    const out: Record<string, unknown> = { ...rec };
    if (dropped) delete out[dropped];
    if (added) Object.defineProperty(out, added[0], { value: added[1], enumerable: true, configurable: true, writable: true });
    return out;
  });
}

/** A plausible valid value of a schema: its example, else its first enum value, else a minimal one. */
export function exampleOf(doc: OpenApiDoc, schema: Schema, depth = 0): unknown {
  const s = resolve(doc, schema);
  if (s.example !== undefined) return s.example;
  if (s.enum?.length) return s.enum[0];
  switch (s.type) {
    case 'string':
      return s.format === 'date-time' ? new Date().toISOString() : 'x';
    case 'number':
    case 'integer':
      return s.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return s.items ? [exampleOf(doc, s.items, depth + 1)] : [];
    default:
      if (!s.properties || depth > 4) return {};
      return Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, exampleOf(doc, v, depth + 1)]));
  }
}

type PathKey = (string | number)[];

/** Every place in a JSON value a mutation can go: each field and element, the root included. */
function placesIn(v: unknown, at: PathKey = []): PathKey[] {
  const here = [at];
  if (Array.isArray(v)) return [...here, ...v.flatMap((x, i) => placesIn(x, [...at, i]))];
  if (v && typeof v === 'object') return [...here, ...Object.entries(v).flatMap(([k, x]) => placesIn(x, [...at, k]))];
  return here;
}

type Mutation = { kind: 'replace'; value: unknown } | { kind: 'delete' } | { kind: 'add'; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: nastyString.map((value) => ({ kind: 'replace' as const, value })), weight: 4 },
  { arbitrary: nastyNumber.map((value) => ({ kind: 'replace' as const, value })), weight: 2 },
  { arbitrary: wrongType.map((value) => ({ kind: 'replace' as const, value })), weight: 2 },
  { arbitrary: fc.constant({ kind: 'delete' as const }), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.oneof(nastyString, fc.constantFrom('extra', '__proto__', 'constructor')), wrongType)
      .map(([key, value]) => ({ kind: 'add' as const, key, value })),
    weight: 1,
  },
);

/** A copy of `v` with one mutation at `at`. */
function mutate(v: unknown, at: PathKey, m: Mutation): unknown {
  if (at.length === 0) {
    if (m.kind === 'replace') return m.value;
    if (m.kind === 'delete') return undefined;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const out = { ...(v as Record<string, unknown>) };
      Object.defineProperty(out, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      return out;
    }
    return m.value;
  }
  const [head, ...rest] = at;
  if (Array.isArray(v)) return v.map((x, i) => (i === head ? mutate(x, rest, m) : x)).filter((x) => x !== undefined);
  const out = { ...(v as Record<string, unknown>) };
  const next = mutate(out[head as string], rest, m);
  if (next === undefined) delete out[head as string];
  else out[head as string] = next;
  return out;
}

/** Percent-encodes any string, lone surrogates included (as their 3-byte forms, which no decoder accepts as text). */
export function encodeLoose(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s]
      .map((ch) => {
        const c = ch.charCodeAt(0);
        if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff)
          return `%${(0xe0 | (c >> 12)).toString(16)}%${(0x80 | ((c >> 6) & 0x3f)).toString(16)}%${(0x80 | (c & 0x3f)).toString(16)}`.toUpperCase();
        return encodeURIComponent(ch);
      })
      .join('');
  }
}

const rawBodies = fc.constantFrom(
  '{',
  '[]',
  'null',
  '"text"',
  '1e999',
  '{"reason":1e999}',
  '{"a":{"b":{"c":{"d":{}}}}}',
  '{"reason":"\\u0000"}',
  '{"reason":"\\ud800"}',
  '{"__proto__":{"isAdmin":true}}',
);

/** The values of one request before encoding: a value per parameter (undefined = left out) and the body. */
interface RequestValues {
  params: unknown[];
  body: unknown;
  raw?: string;
}

/**
 * One request of an operation, with the tokens given. Most are a valid-looking request (examples,
 * known ids) with exactly one thing wrong, so the wrong thing reaches as far as it can; the rest
 * are generated field by field from the schemas, or malformed JSON.
 */
export function requestFor(
  doc: OpenApiDoc,
  op: Operation,
  tokens: fc.Arbitrary<string | null>,
  known: Record<string, unknown[]> = {},
): fc.Arbitrary<GeneratedRequest> {
  const params = op.parameters.filter((p) => p.in !== 'header' || p.name.toLowerCase() === 'idempotency-key');
  const unique = [...new Map(params.map((p) => [`${p.in}:${p.name.toLowerCase()}`, p])).values()];
  const schemaOf = (p: Parameter) => p.schema ?? { type: 'string' };

  const baseParams = fc.tuple(
    ...unique.map((p) => {
      const choices = [...(known[p.name] ?? []), ...(schemaOf(p).example !== undefined ? [schemaOf(p).example] : [])];
      if (p.in === 'path' || p.required) return choices.length ? fc.constantFrom(...choices) : fc.constant(exampleOf(doc, schemaOf(p)));
      return choices.length ? fc.option(fc.constantFrom(...choices), { nil: undefined, freq: 2 }) : fc.constant(undefined);
    }),
  );
  const oneWrong: fc.Arbitrary<RequestValues> = baseParams.chain((base) => {
    const body = op.body ? exampleOf(doc, op.body) : undefined;
    const places: { param?: number; at: PathKey }[] = [
      ...unique.map((_, i) => ({ param: i, at: [] as PathKey })),
      ...(op.body ? placesIn(body).map((at) => ({ at })) : []),
    ];
    if (!places.length) return fc.constant({ params: base, body });
    return fc
      .tuple(fc.constantFrom(...places), mutation)
      .map(([place, m]) =>
        place.param !== undefined
          ? { params: base.map((v, i) => (i === place.param ? mutate(v, [], m) : v)), body }
          : { params: base, body: mutate(body, place.at, m) },
      );
  });
  const generated: fc.Arbitrary<RequestValues> = fc
    .tuple(
      fc.tuple(
        ...unique.map((p) =>
          p.required || p.in === 'path'
            ? valueFor(doc, schemaOf(p), known[p.name] ?? [])
            : fc.option(valueFor(doc, schemaOf(p), known[p.name] ?? []), { nil: undefined, freq: 2 }),
        ),
      ),
      op.body ? valueFor(doc, op.body) : fc.constant(undefined),
    )
    .map(([p, body]) => ({ params: p, body }));
  const malformed: fc.Arbitrary<RequestValues> = fc.tuple(baseParams, rawBodies).map(([p, raw]) => ({ params: p, body: undefined, raw }));

  const values = fc.oneof({ arbitrary: oneWrong, weight: 6 }, { arbitrary: generated, weight: 3 }, ...(op.body ? [{ arbitrary: malformed, weight: 1 }] : []));
  return fc.tuple(values, tokens).map(([vals, token]) => {
    let path = op.path;
    const query: string[] = [];
    const headers: Record<string, string> = {};
    unique.forEach((p, i) => {
      const v = vals.params[i];
      if (v === null || v === undefined) {
        if (p.in === 'path') path = path.replace(`{${p.name}}`, 'x');
        return;
      }
      const str = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
      if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeLoose(str) || '%20');
      else if (p.in === 'query') query.push(`${encodeURIComponent(p.name)}=${encodeLoose(str)}`);
      else if (/^[\x20-\x7e]*$/.test(str)) headers[p.name.toLowerCase()] = str; // fetch refuses other header values
    });
    if (token) headers.authorization = `Bearer ${token}`;
    const text = vals.raw ?? (op.body && vals.body !== undefined ? JSON.stringify(vals.body) : undefined);
    if (text !== undefined) headers['content-type'] = 'application/json';
    return { method: op.method, url: path + (query.length ? `?${query.join('&')}` : ''), headers, body: text?.split(`"${INFINITY}"`).join('1e999') };
  });
}
