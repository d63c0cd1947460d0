#!/usr/bin/env node
/**
 * `npm run check:folders`: no import cycles between the folders of the code.
 *
 * madge builds the file-level import graph of src/ and projections/ (specs left out: a test may
 * reach across folders). Each file is mapped to its folder node:
 *   - src/<capability>/**  → src/<capability>   (src/*.ts, the composition root → src/(root))
 *   - projections/**       → projections        (the read-model folds form one layer)
 *   - migrations/**        → migrations
/**
 * A capability's model — its event types and the value types they carry (`events/`, `*.event.ts`,
 * `*.events.ts`) and the write model's fold (`*.state.ts`) — forms a node of its own,
 * src/<capability>:model: projections fold those events (with that fold) and the capability's
 * handlers read the projections, so without this split every capability with a read model would
 * loop through projections/. A model file must therefore import only lower layers (event-store,
 * shared, access, other models) — which this check enforces like any other edge.
 *
 * Prints every group of folders that import each other (a strongly connected component), and in it
 * the imports that run back up: the file-level imports of the edges that go against the layer
 * order (the order that leaves the fewest imports pointing up, found greedily). Exits 1 on a cycle.
 *   --graph   also print the folder graph (node -> nodes it imports)
 */
const path = require('path');
const madge = require('madge');

const root = path.resolve(__dirname, '..');

function nodeOf(file) {
  const parts = file.split('/');
  if (parts[0] === 'projections') return 'projections';
  if (parts[0] !== 'src') return parts[0];
  if (parts.length === 2) return 'src/(root)';
  const capability = `src/${parts[1]}`;
  return parts[2] === 'events' || /\.(events?|state)\.ts$/.test(file) ? `${capability}:model` : capability;
}

/** Tarjan's strongly connected components. */
function components(nodes, edges) {
  let index = 0;
  const idx = new Map(),
    low = new Map(),
    stack = [],
    on = new Set(),
    out = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of Object.keys(edges[v] || {})) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const group = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        group.push(w);
      } while (w !== v);
      out.push(group.sort());
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return out;
}

/** Greedy order (Eades–Lin–Smyth) of a group, lowest layer last; weights = file-level imports. */
function layerOrder(group, edges) {
  const left = new Set(group),
    head = [],
    tail = [];
  const w = (a, b) => (edges[a] && edges[a][b] ? edges[a][b].length : 0);
  const outW = (v) => [...left].reduce((s, u) => s + (u !== v ? w(v, u) : 0), 0);
  const inW = (v) => [...left].reduce((s, u) => s + (u !== v ? w(u, v) : 0), 0);
  while (left.size) {
    let moved = true;
    while (moved) {
      moved = false;
      for (const v of [...left].sort()) {
        if (inW(v) === 0) {
          head.push(v);
          left.delete(v);
          moved = true;
        } else if (outW(v) === 0) {
          tail.unshift(v);
          left.delete(v);
          moved = true;
        }
      }
    }
    if (!left.size) break;
    const best = [...left].sort().reduce((b, v) => (outW(v) - inW(v) > outW(b) - inW(b) ? v : b));
    head.push(best);
    left.delete(best);
  }
  return [...head, ...tail];
}

async function main() {
  const graph = (
    await madge(['src', 'projections'], {
      baseDir: root,
      fileExtensions: ['ts'],
      excludeRegExp: [/\.spec\.ts$/],
      tsConfig: path.join(root, 'tsconfig.json'),
    })
  ).obj();

  const edges = {}; // node -> node -> ["from.ts -> to.ts", ...]
  const nodes = new Set();
  for (const [file, deps] of Object.entries(graph)) {
    const a = nodeOf(file);
    nodes.add(a);
    for (const dep of deps) {
      const b = nodeOf(dep);
      nodes.add(b);
      if (a === b) continue;
      ((edges[a] ||= {})[b] ||= []).push(`${file} -> ${dep}`);
    }
  }

  if (process.argv.includes('--graph')) {
    for (const a of [...nodes].sort())
      console.log(
        `${a} -> ${Object.keys(edges[a] || {})
          .sort()
          .join(', ')}`,
      );
    console.log('');
  }

  const cycles = components([...nodes].sort(), edges).filter((g) => g.length > 1);
  let back = 0;
  for (const group of cycles) {
    const order = layerOrder(group, edges);
    const rank = new Map(order.map((v, i) => [v, i]));
    console.log(`folder cycle: ${order.join(' -> ')}`);
    for (const a of order) {
      for (const b of Object.keys(edges[a] || {}).sort()) {
        if (!rank.has(b) || rank.get(b) > rank.get(a)) continue;
        console.log(`  ${a} imports ${b} (runs back up):`);
        for (const imp of edges[a][b]) {
          console.log(`    ${imp}`);
          back++;
        }
      }
    }
  }
  if (cycles.length) {
    console.error(`${cycles.length} folder cycle(s), ${back} import(s) running back up`);
    process.exit(1);
  }
  console.log(`no folder cycles (${nodes.size} folders, ${Object.keys(graph).length} files)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
