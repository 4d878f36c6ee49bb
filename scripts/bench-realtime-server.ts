/**
 * The server process of `npm run bench:realtime` (spawned by scripts/bench-realtime.ts): the real
 * app (same context, plugins and adapters as main.ts) listening on a free port, plus an IPC hook
 * the orchestrator uses to read its memory and to drive the fan-out phase from inside the process.
 */
import { randomUUID } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { readEnv } from '../src/config/env.js';
import { createContext } from '../src/context.js';

type Command =
  | { type: 'stats'; id: number }
  | { type: 'fanout'; id: number; seconds: number; groups: Array<{ conversationId: string; memberIds: string[] }>; batch: number };

const send = (message: unknown) => process.send?.(message);

async function main(): Promise<void> {
  const config = loadConfig(readEnv());
  const ctx = await createContext(config);
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  process.on('message', (raw) => {
    const cmd = raw as Command;
    if (cmd.type === 'stats') {
      const mem = process.memoryUsage();
      send({
        id: cmd.id,
        rss: mem.rss,
        heapUsed: mem.heapUsed,
        heapTotal: mem.heapTotal,
        external: mem.external,
        connections: ctx.services.realtime.localConnections,
      });
      return;
    }
    if (cmd.type === 'fanout') {
      void fanout(cmd).then((result) => send({ id: cmd.id, ...result }));
    }
  });

  /**
   * Publishes `message.sent` domain events (what the chat service publishes after its commit) as
   * fast as the gateway absorbs them: `batch` events, then wait until every handler finished.
   */
  async function fanout(cmd: Extract<Command, { type: 'fanout' }>) {
    const until = Date.now() + cmd.seconds * 1000;
    const started = Date.now();
    let messages = 0;
    let deliveries = 0;
    let g = 0;
    while (Date.now() < until) {
      for (let i = 0; i < cmd.batch; i++) {
        const group = cmd.groups[g++ % cmd.groups.length]!;
        const sender = group.memberIds[messages % group.memberIds.length]!;
        const id = randomUUID();
        void ctx.bus.publish(ctx.database.db, 'message.sent', {
          conversationId: group.conversationId,
          participantIds: group.memberIds,
          mutedParticipantIds: [],
          senderId: sender,
          message: { id, conversation_id: group.conversationId, content: `f:${id}`, sender: { id: sender }, created_at: new Date().toISOString() },
          at: new Date().toISOString(),
        });
        messages += 1;
        deliveries += group.memberIds.length;
      }
      await ctx.bus.drain();
    }
    return { messages, deliveries, ms: Date.now() - started };
  }

  send({ type: 'ready', port, pid: process.pid });
  const stop = async () => {
    await app.close();
    await ctx.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('disconnect', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
