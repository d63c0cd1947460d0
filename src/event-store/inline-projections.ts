import type { RecordedEvent } from './envelope';
import type { InlineProjection } from './event-store.port';

/** The inline projections registered with one store, and which of them an append concerns. */
export class InlineProjections {
  private readonly byName = new Map<string, InlineProjection>();
  private readonly types = new Set<string>();

  register(projection: InlineProjection): void {
    const existing = this.byName.get(projection.name);
    if (existing === projection) return;
    if (existing) throw new Error(`another inline projection named "${projection.name}" is registered already`);
    // The runner skips what an inline row has seen only for projections marked inline.
    if (!projection.inline) throw new Error(`projection "${projection.name}" is not marked inline: the runner would apply its events twice`);
    this.byName.set(projection.name, projection);
    for (const t of projection.canHandle) this.types.add(t);
  }

  /** Whether any registered projection handles one of these event types (a cheap test on every append). */
  concern(events: readonly { readonly type: string }[]): boolean {
    return this.types.size > 0 && events.some((e) => this.types.has(e.type));
  }

  /** Each projection with the events of `events` it handles. */
  *affected(events: readonly RecordedEvent[]): Iterable<[InlineProjection, RecordedEvent[]]> {
    if (!this.concern(events)) return;
    for (const p of this.byName.values()) {
      const mine = events.filter((e) => p.canHandle.includes(e.type));
      if (mine.length) yield [p, mine];
    }
  }
}
