import { Injectable } from '@nestjs/common';
import type { Projection } from '../../projections/projection';

/**
 * Capability modules register their projections here (in their constructor); the runner starts
 * them all once the application has bootstrapped. No central list of every read model.
 */
@Injectable()
export class ProjectionRegistry {
  private readonly byName = new Map<string, Projection>();

  register(...projections: Projection[]): void {
    for (const p of projections) {
      const existing = this.byName.get(p.name);
      if (existing && existing !== p) throw new Error(`projection "${p.name}" is registered twice`);
      this.byName.set(p.name, p);
    }
  }

  all(): Projection[] {
    return [...this.byName.values()];
  }

  get(name: string): Projection | undefined {
    return this.byName.get(name);
  }
}
