import { AddressInfo, createServer as createTcpServer, Server as TcpServer, Socket } from 'node:net';
import { describeTransportFailure } from '../../src/egress/transport-failure';
import { ProbeRegistry } from '../../src/polling/probes/probe-registry';
import { refusedPort } from '../polling/support';
import { testEgress } from '../support/test-egress';

/** A raw TCP server on 127.0.0.1 that does `onConnection` to every client. */
async function tcpServer(onConnection: (s: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: TcpServer = createTcpServer((s) => {
    sockets.add(s.on('error', () => undefined).on('close', () => sockets.delete(s)));
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/**
 * Transport errors are recorded as a fixed kind and message: nothing the remote sent (banner,
 * garbage, reason phrase) reaches the message, and a closed port, a reset and a non-HTTP service
 * are only told apart by those coarse messages.
 */
describe('transport failures are normalised', () => {
  const egress = testEgress();
  const probes = new ProbeRegistry(egress);
  const probe = (url: string) => probes.run({ key: 'k', probe: { kind: 'http', url } }, 2000);
  afterAll(() => egress.close());

  it('a redirect loop ends after 20 hops as "too many redirects"; a redirect chain shorter than that is followed', async () => {
    let hits = 0;
    const s = await tcpServer((sock) =>
      sock.on('data', (chunk) => {
        hits++;
        const [, path] = /^GET (\S+)/.exec(chunk.toString()) ?? [];
        const n = Number(new URL(path ?? '/', 'http://x').searchParams.get('n') ?? 0);
        const loop = path?.startsWith('/loop');
        if (!loop && n >= 3) sock.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
        else sock.write(`HTTP/1.1 302 Found\r\nlocation: /${loop ? 'loop' : 'chain'}?n=${n + 1}\r\ncontent-length: 0\r\n\r\n`);
      }),
    );
    try {
      expect(await probe(`http://127.0.0.1:${s.port}/loop`)).toMatchObject({ ok: false, failureKind: 'network_error', message: 'too many redirects' });
      expect(hits).toBe(21); // the first request and 20 redirects followed
      expect(await probe(`http://127.0.0.1:${s.port}/chain`)).toMatchObject({ ok: true, statusCode: 200 });
    } finally {
      await s.close();
    }
  });

  it('a closed port is "connection refused"', async () => {
    expect(await probe(`http://127.0.0.1:${await refusedPort()}/`)).toMatchObject({
      ok: false,
      failureKind: 'network_error',
      category: 'transient',
      message: 'connection refused',
    });
  });

  it('a server that hangs up is "connection reset"', async () => {
    const s = await tcpServer((sock) => sock.destroy());
    try {
      expect(await probe(`http://127.0.0.1:${s.port}/`)).toMatchObject({ ok: false, failureKind: 'network_error', message: 'connection reset' });
    } finally {
      await s.close();
    }
  });

  it('a service that answers something other than HTTP is "invalid http response", without its banner', async () => {
    const banner = 'SSH-2.0-OpenSSH_9.6 root:x:0:0:root:/root:/bin/bash\r\n';
    const s = await tcpServer((sock) => sock.end(banner));
    try {
      const r = await probe(`http://127.0.0.1:${s.port}/`);
      expect(r).toMatchObject({ ok: false, failureKind: 'network_error', message: 'invalid http response' });
      expect(JSON.stringify(r)).not.toMatch(/SSH|root/);
    } finally {
      await s.close();
    }
  });

  it('TLS to a plain HTTP server is "tls error"', async () => {
    const s = await tcpServer((sock) => sock.on('data', () => sock.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
    try {
      expect(await probe(`https://127.0.0.1:${s.port}/`)).toMatchObject({ ok: false, failureKind: 'network_error', message: 'tls error' });
    } finally {
      await s.close();
    }
  });

  it('a name that does not resolve is "dns lookup failed"', async () => {
    expect(await probe('http://no-such-host.invalid/')).toMatchObject({ ok: false, failureKind: 'network_error', message: 'dns lookup failed' });
  });

  it('an error of no known kind is "request failed", never its own message', () => {
    expect(describeTransportFailure(new TypeError('fetch failed', { cause: new Error('secret: hunter2') }))).toEqual({
      kind: 'network_error',
      message: 'request failed',
    });
  });
});
