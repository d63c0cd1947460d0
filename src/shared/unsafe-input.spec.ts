import { findUnsafeInput, MAX_INPUT_DEPTH } from './unsafe-input';

describe('findUnsafeInput', () => {
  it('passes ordinary JSON, including well-formed surrogate pairs', () => {
    expect(findUnsafeInput({ a: 'x', b: [1, 2.5, -3, { c: 'emoji \u{1F600}' }], d: null, e: true }, 'body')).toBeNull();
  });

  it('names the first NUL or lone surrogate by its dotted path, in document order', () => {
    expect(findUnsafeInput({ a: 'ok', probe: { url: 'x\u0000' }, z: '\u0000' }, 'body')).toEqual({
      field: 'probe.url',
      problem: 'must not contain the NUL character (\\u0000)',
    });
    expect(findUnsafeInput({ list: ['a', 'b\ud800'] }, 'body')).toEqual({ field: 'list.1', problem: expect.stringMatching(/lone UTF-16 surrogate/) });
    expect(findUnsafeInput({ s: '\udc00x' }, 'body')?.field).toBe('s');
    expect(findUnsafeInput('\u0000', 'body')?.field).toBe('body');
  });

  it('checks field names too, showing them escaped', () => {
    expect(findUnsafeInput({ params: { 'k\u0000': 1 } }, 'body')).toEqual({
      field: 'params."k\\u0000"',
      problem: 'field name must not contain the NUL character (\\u0000)',
    });
  });

  it('refuses non-finite numbers and nesting past the limit without recursing', () => {
    expect(findUnsafeInput({ n: Infinity }, 'body')).toEqual({ field: 'n', problem: 'must be a finite number' });
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeInput(deep, 'body')?.problem).toBe(`is nested too deeply (at most ${MAX_INPUT_DEPTH} levels)`);
  });
});
