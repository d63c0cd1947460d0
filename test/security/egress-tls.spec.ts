import { createServer, Server } from 'node:https';
import { AddressInfo } from 'node:net';
import { ProbeRegistry } from '../../src/polling/probes/probe-registry';
import { testEgress } from '../support/test-egress';

/** A self-signed certificate for "localhost" (test fixture only; no CA trusts it). */
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvqDbTWKv7F2oj24Z
yrWXPSvyvC2mRyV42vLAvbuMa7ehRANCAAQDsmDrFBLn81pk7iZIvNboJ6cfTetO
0KffRIkf38r309OBLzR6zUuEl0eO5WySLAQnd/diy2WlFz4WF2iZu33J
-----END PRIVATE KEY-----`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBlDCCATugAwIBAgIUekA/png0L5ufz9mwz4BUjeOOqLQwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNjAwNDE0MVoYDzIxMjYxMTAy
MDA0MTQxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQDsmDrFBLn81pk7iZIvNboJ6cfTetO0KffRIkf38r309OBLzR6zUuE
l0eO5WySLAQnd/diy2WlFz4WF2iZu33Jo2kwZzAdBgNVHQ4EFgQUiEpuMmzJY6VM
prR/iJs8xkOCa6YwHwYDVR0jBBgwFoAUiEpuMmzJY6VMprR/iJs8xkOCa6YwDwYD
VR0TAQH/BAUwAwEB/zAUBgNVHREEDTALgglsb2NhbGhvc3QwCgYIKoZIzj0EAwID
RwAwRAIgO3vA+amXD3jlZYeRox/G0/TJngK8yC2esxcgKhlhZm4CIBKfWxgFUTFi
H6NeGIE9Pjq2iprrC/qb+57KaPTgYPuK
-----END CERTIFICATE-----`;

/**
 * The dispatcher opens the socket to the address it checked, not to the name. TLS must still be
 * about the name: the server sees the name as SNI, and the certificate is verified (a self-signed
 * one is refused), so pinning the address costs no certificate checking.
 */
describe('https through the egress dispatcher', () => {
  let server: Server;
  let port: number;
  const sni: string[] = [];
  const egress = testEgress();
  const probes = new ProbeRegistry(egress);

  beforeAll(async () => {
    server = createServer({ key: KEY, cert: CERT, SNICallback: (name, cb) => (sni.push(name), cb(null, undefined)) }, (_req, res) => res.end('{}'));
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await egress.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('a name is resolved and checked, the socket goes to 127.0.0.1, SNI is the name, and the certificate is verified', async () => {
    const r = await probes.run({ key: 'k', probe: { kind: 'http', url: `https://localhost:${port}/` } }, 2000);
    expect(r).toMatchObject({ ok: false, failureKind: 'network_error', message: 'tls error' });
    expect(sni).toEqual(['localhost']);
  });
});
