import v8 from 'node:v8';

/**
 * Caps how far V8 lets the heap grow past its live size before the next full collection. Under a
 * high allocation rate (a scheduler polling 1,000 targets a second allocates for every request,
 * response and append) V8 grows the old generation to up to 4× what survives a collection, and
 * the process's RSS counts that garbage: 325 MB of heap for 72 MB live at 10,000 targets
 * (docs/performance.md, docs/adr/0019). `--heap-growing-percent` sets the factor to 1 + p/100
 * without a hard heap limit (`--max-old-space-size` would crash the process at its limit instead).
 * The flag is process-wide and only read when V8 sets its next limit, so setting it at run time
 * (NODE_OPTIONS does not accept it) takes effect from the next collection; 0 leaves V8's own.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${Math.round(percent)}`);
}
