import type { Logger } from 'pino';
import { Agent, fetch as undiciFetch, RequestInit, Response } from 'undici';
import type { AllowEntry } from '../shared/allow-list';
import { createEgressDispatcher } from './egress-dispatcher';
import { Destination, EgressPolicy } from './egress-policy';

/** fetch, through the egress policy. The only way code in src/ may make an outbound HTTP request. */
export type EgressFetch = (url: string | URL, init?: Omit<RequestInit, 'dispatcher'>) => Promise<Response>;

export interface EgressOptions {
  readonly allow: readonly AllowEntry[];
  readonly ownPorts: () => Iterable<number>;
  readonly connectTimeoutMs: number;
  readonly log: Logger;
  /** Counted by the caller (the Nest module feeds a Prometheus counter). */
  readonly onRefused?: (reason: string) => void;
  readonly localAddresses?: () => Iterable<string>;
}

/**
 * Every outbound request of the service: http probes, http job handlers, alert webhooks, and any
 * delivery added later. One undici Agent per process, so connections are pooled across callers.
 */
export class Egress {
  readonly policy: EgressPolicy;
  private readonly agent: Agent;

  constructor(opts: EgressOptions) {
    this.policy = new EgressPolicy({ allow: opts.allow, ownPorts: opts.ownPorts, localAddresses: opts.localAddresses });
    this.agent = createEgressDispatcher(this.policy, {
      connectTimeoutMs: opts.connectTimeoutMs,
      onRefused: (dest: Destination, reason: string) => {
        opts.log.warn(
          { event: 'egress.refused', host: dest.host, address: dest.address, port: dest.port, reason },
          `outbound connection to ${dest.host}:${dest.port} refused by the egress policy (${reason})`,
        );
        opts.onRefused?.(reason);
      },
    });
  }

  readonly fetch: EgressFetch = (url, init) => undiciFetch(url, { ...init, dispatcher: this.agent });

  async close(): Promise<void> {
    await this.agent.close();
  }
}
