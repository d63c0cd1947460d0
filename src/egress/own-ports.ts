import type { AddressInfo } from 'node:net';

/** The port a PostgreSQL connection string points at (5432 when it names none). */
export function databasePort(databaseUrl: string): number {
  try {
    return Number(new URL(databaseUrl).port) || 5432;
  } catch {
    return 5432;
  }
}

/**
 * The service's own ports: the configured HTTP port (other processes of the installation on this
 * machine listen there even when this one, a worker, does not), the port this process actually
 * listens on (tests and PORT=0 bind a random one), and the PostgreSQL port in use.
 */
export function ownPorts(configuredHttpPort: number, databaseUrl: string, listening: () => AddressInfo | string | null | undefined): () => number[] {
  const fixed = [configuredHttpPort, databasePort(databaseUrl)];
  return () => {
    const addr = listening();
    return addr && typeof addr === 'object' ? [...fixed, addr.port] : fixed;
  };
}
