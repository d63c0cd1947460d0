/**
 * Upcasters turn an old stored shape into the current one on read, so old events stay readable
 * forever. Keyed by type + the schemaVersion they read; each returns the next version's data.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each upcaster types the old shape it reads; the registry only passes it along
export type Upcaster = (data: any, metadata: Record<string, unknown>) => unknown;

const registry = new Map<string, Upcaster>();
const key = (type: string, version: number) => `${type}@${version}`;

export function registerUpcaster(type: string, fromVersion: number, upcast: Upcaster): void {
  if (registry.has(key(type, fromVersion))) throw new Error(`upcaster for ${type} v${fromVersion} is registered twice`);
  registry.set(key(type, fromVersion), upcast);
}

/** Applies every upcaster from the stored version up; returns the final version and data. */
export function upcast(type: string, schemaVersion: number, data: unknown, metadata: Record<string, unknown>): { schemaVersion: number; data: unknown } {
  let v = schemaVersion;
  let d = data;
  for (let up = registry.get(key(type, v)); up; up = registry.get(key(type, v))) {
    d = up(d, metadata);
    v += 1;
  }
  return { schemaVersion: v, data: d };
}
