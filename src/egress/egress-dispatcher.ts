import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { Destination, EgressPolicy } from './egress-policy';
import { EgressRefusedError } from './egress-refused.error';

export interface EgressDispatcherOptions {
  /** undici's connect timeout (TCP + TLS handshake) per connection. */
  readonly connectTimeoutMs: number;
  /** Told about every refused destination (the first refused address of a name). */
  readonly onRefused?: (dest: Destination, reason: string) => void;
}

async function resolve(host: string): Promise<string[]> {
  if (isIP(host)) return [host];
  const found = await lookup(host, { all: true, verbatim: true });
  return found.map((a) => a.address);
}

/**
 * An undici Agent whose every connection goes through the policy. The check sits in the
 * connector, where the socket is opened: the name is resolved here, each address is checked, and
 * the socket is opened to the checked address itself (TLS still verifies the certificate against
 * the name), so nothing can re-resolve the name between the check and the connect. Every hop of a
 * redirect that needs a new connection comes through here too; a reused keep-alive connection was
 * checked when it was opened.
 */
export function createEgressDispatcher(policy: EgressPolicy, opts: EgressDispatcherOptions): Agent {
  const open = buildConnector({ timeout: opts.connectTimeoutMs });
  const connect: buildConnector.connector = (options, callback) => {
    const host = options.hostname;
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    resolve(host).then(
      (addresses) => {
        let refused: { address: string; reason: string } | null = null;
        for (const address of addresses) {
          const verdict = policy.check({ host, address, port });
          if (verdict.allowed) {
            open({ ...options, hostname: address, servername: options.servername || (isIP(host) ? undefined : host) }, callback);
            return;
          }
          refused ??= { address, reason: verdict.reason };
        }
        const reason = refused?.reason ?? 'no_address';
        opts.onRefused?.({ host, address: refused?.address ?? '', port }, reason);
        callback(new EgressRefusedError(host, port, reason), null);
      },
      (err: Error) => callback(err, null),
    );
  };
  return new Agent({ connect });
}
