import { parseAllowList, type AllowEntry } from '../shared/allow-list';
import { ConfigError, EnvVar, int } from './env-var';

const allowList = (name: string, description: string): EnvVar<AllowEntry[]> => ({
  name,
  description,
  defaultText: '(unset)',
  parse: (raw) => {
    try {
      return parseAllowList(raw ?? '');
    } catch (err) {
      throw new ConfigError(
        name,
        `${(err as Error).message}; expected comma-separated CIDRs, addresses, host names (*.example.com), each optionally with :port`,
      );
    }
  },
});

/** What outbound requests (probes, http jobs, webhooks) may reach; docs/operations.md "Egress policy". */
export const egressEnv = {
  allow: allowList(
    'EGRESS_ALLOW',
    "Opens destinations the egress policy refuses by default (loopback, private, link-local, …): comma-separated CIDRs (10.0.0.0/8), addresses, host names (vault.internal, *.svc.cluster.local), each optionally with :port (127.0.0.1:8080). The service's own HTTP and PostgreSQL ports on this machine stay refused unless an entry names that port.",
  ),
  connectTimeoutMs: int('EGRESS_CONNECT_TIMEOUT_MS', 10_000, 'Timeout of opening one outbound connection (TCP and TLS).', { min: 100 }),
} as const;
