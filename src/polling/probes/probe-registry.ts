import { Injectable } from '@nestjs/common';
import { Egress } from '../../egress/egress-fetch';
import { createHttpProbe } from './http.probe';
import type { Probe, ProbeResult, ProbeTarget } from './probe';

/**
 * Probe kinds by name. `http` is built in; code registers others, e.g. in a module constructor:
 *
 *   constructor(probes: ProbeRegistry) {
 *     probes.register('tcp', async (target, signal) => ({ ok: true, statusCode: null, durationMs: 0 }));
 *   }
 *
 * A target then uses `"probe": {"kind": "tcp", "url": "..."}`. The API rejects unknown kinds.
 * A probe that makes HTTP requests uses `egress.fetch` (inject `Egress`), so the egress policy
 * applies to it as to the built-in one.
 */
@Injectable()
export class ProbeRegistry {
  private readonly kinds: Map<string, Probe>;

  constructor(egress: Egress) {
    this.kinds = new Map([['http', createHttpProbe(egress.request)]]);
  }

  register(kind: string, probe: Probe): void {
    if (this.kinds.has(kind)) throw new Error(`probe kind "${kind}" is registered twice`);
    this.kinds.set(kind, probe);
  }

  has(kind: string): boolean {
    return this.kinds.has(kind);
  }

  kindNames(): string[] {
    return [...this.kinds.keys()];
  }

  /**
   * Runs the target's probe with a timeout. A probe that ignores the signal still ends at the
   * timeout (http_timeout); one that throws is a transient network_error. Duration is measured here.
   */
  async run(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    const started = performance.now();
    const probe = this.kinds.get(target.probe.kind);
    const took = () => Math.round(performance.now() - started);
    if (!probe)
      return {
        ok: false,
        statusCode: null,
        durationMs: 0,
        failureKind: 'invalid_config',
        category: 'permanent',
        message: `unknown probe kind "${target.probe.kind}"`,
      };
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<ProbeResult>((resolve) => {
      timer = setTimeout(() => {
        ac.abort();
        resolve({ ok: false, statusCode: null, durationMs: 0, failureKind: 'http_timeout', category: 'transient', message: `timeout after ${timeoutMs} ms` });
      }, timeoutMs);
    });
    try {
      const result = await Promise.race([
        probe(target, ac.signal).catch((err): ProbeResult => ({
          ok: false,
          statusCode: null,
          durationMs: 0,
          failureKind: 'network_error',
          category: 'transient',
          message: (err as Error)?.message ?? String(err),
        })),
        timeout,
      ]);
      return { ...result, durationMs: took(), ...(!result.ok && result.failureKind === 'http_timeout' ? { message: `timeout after ${timeoutMs} ms` } : {}) };
    } finally {
      clearTimeout(timer);
    }
  }
}
