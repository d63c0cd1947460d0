import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * A closing HTTP server waits for every connection to end, and Node reaps only the idle ones it
 * sees when the close begins: a connection opened without a request yet (clients open spare ones;
 * fetch does after a cancelled body) or kept alive after a request that was in flight sits there
 * until the client drops it or its keep-alive lapses (72 s). When the close begins, this drops the
 * connections with no request in flight, ends the others once their answer is out, and refuses
 * new ones, so a stop waits for the requests being served and nothing else.
 */
export function closeConnectionsOnClose(fastify: FastifyInstance): void {
  const sockets = new Set<Socket>();
  let closing = false;
  fastify.server.on('connection', (socket: Socket) => {
    if (closing) return void socket.destroy();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  fastify.addHook('preClose', async () => {
    closing = true;
    for (const socket of sockets) {
      const serving = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
      if (!serving || serving.writableFinished) socket.destroy();
      else serving.once('finish', () => socket.destroySoon());
    }
  });
}
