import { ChildProcess, spawn } from 'node:child_process';

export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A throwaway redis-server (Debian package `redis-server`) on 127.0.0.1:`port`: no persistence,
 * nothing on disk. Resolves once it accepts connections.
 */
export function startRedisServer(port: number): Promise<RedisServer> {
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (!/Ready to accept connections/.test(out)) return;
      child.stdout!.off('data', onData);
      child.stdout!.resume(); // keep draining so the server never blocks on a full pipe
      resolve({
        url: `redis://127.0.0.1:${port}`,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', (err) => reject(new Error(`redis-server could not start (install the Debian package redis-server): ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out.slice(-2000)}`)));
  });
}
