/**
 * Loaded into a benchmarked worker process with `node --require` (NODE_OPTIONS), so the bench can
 * say where that process's memory goes, not only its RSS. Samples process.memoryUsage() every
 * 250 ms (the sample with the highest RSS is kept); on SIGUSR2 it takes one more sample, runs two
 * full garbage collections, samples again (the live heap) and writes all of it, with V8's heap
 * spaces, as JSON to BENCH_MEMORY_FILE. Plain JavaScript: it runs in the compiled service.
 */
'use strict';
const fs = require('node:fs');
const v8 = require('node:v8');
const vm = require('node:vm');

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const mb = (n) => Math.round((n / 2 ** 20) * 10) / 10;
  const sample = () => {
    const m = process.memoryUsage();
    return { rss: mb(m.rss), heapTotal: mb(m.heapTotal), heapUsed: mb(m.heapUsed), external: mb(m.external), arrayBuffers: mb(m.arrayBuffers) };
  };
  let atMaxRss = null;
  setInterval(() => {
    const s = sample();
    if (!atMaxRss || s.rss > atMaxRss.rss) atMaxRss = s;
  }, 250).unref();
  process.on('SIGUSR2', () => {
    const beforeGc = sample();
    gc();
    gc();
    const afterGc = sample();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: mb(s.space_size), used: mb(s.space_used_size) }]));
    fs.writeFileSync(file, JSON.stringify({ atMaxRss, beforeGc, afterGc, spaces }));
  });
}
