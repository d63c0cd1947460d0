import type { Logger } from 'pino';
import { Agent, Dispatcher, fetch as undiciFetch, interceptors, request as undiciRequest, RequestInit, Response } from 'undici';
import type { AllowEntry } from '../shared/allow-list';
import { createEgressDispatcher } from './egress-dispatcher';
import { Destination, EgressPolicy } from './egress-policy';

/** fetch, through the egress policy. The only way code in src/ may make an outbound HTTP request. */
export type EgressFetch = (url: string | URL, init?: Omit<RequestInit, 'dispatcher'>) => Promise<Response>;

/** Most redirects followed, as fetch does (its limit is 20). */
const MAX_REDIRECTS = 20;

export interface EgressRequestOptions {
  /** Upper case, as fetch normalises the standard ones. */
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

/**
 * undici's `request`, through the egress policy: the same Agent and policy-checking connector as
 * EgressFetch, redirects followed like fetch (every new connection checked; 301/302 after POST
 * and 303 become GET). The limit differs by one hop: the 21st response fails with "max redirects"
 * whatever its status, where fetch would still take a non-redirect answer there. No WHATWG
 * Request/Response/Headers or web streams: a fraction of fetch's allocations per request, for
 * callers that send many small requests (the http probe). The caller must read or dump the body.
 */
export type EgressRequest = (url: string | URL, options?: EgressRequestOptions) => Promise<Dispatcher.ResponseData<unknown>>;

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
  private readonly redirecting: Dispatcher;

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
    this.redirecting = this.agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
  }

  readonly fetch: EgressFetch = (url, init) => undiciFetch(url, { ...init, dispatcher: this.agent });

  readonly request: EgressRequest = (url, options = {}) =>
    undiciRequest(url, {
      method: (options.method ?? 'GET').toUpperCase() as Dispatcher.HttpMethod,
      headers: options.headers,
      signal: options.signal,
      dispatcher: this.redirecting,
      throwOnMaxRedirect: true,
    } as Parameters<typeof undiciRequest>[1]);

  async close(): Promise<void> {
    await this.agent.close();
  }
}
