/**
 * The load generator of `npm run bench:realtime` (a separate process, spawned by
 * scripts/bench-realtime.ts): opens the WebSocket clients, keeps the delivery ledger, and sends the
 * chat messages over HTTP for the latency phase. Driven over IPC by the orchestrator.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

interface Client {
  userId: string;
  token: string;
  ws?: WebSocket;
}

type Command =
  | { type: 'connect'; id: number; port: number; users: Array<{ userId: string; token: string }>; concurrency: number }
  | { type: 'subscribe'; id: number; groups: Array<{ conversationId: string; members: number[] }> }
  | { type: 'ledger-start'; id: number; kind: 'fanout' | 'latency' }
  | { type: 'ledger-stop'; id: number; expectedMessages: number; groupSize: number; quietMs: number }
  | {
      type: 'latency';
      id: number;
      rate: number;
      seconds: number;
      groups: Array<{ conversationId: string; members: number[] }>;
    };

const send = (message: unknown) => process.send?.(message);
let port = 0;
const clients: Client[] = [];

// ---- the ledger: (message key, client index) → times received --------------------------------
let ledgerKind: 'fanout' | 'latency' | undefined;
const received = new Map<string, number>();
let firstAt = 0;
let lastAt = 0;
let frames = 0;
const sentAt = new Map<string, number>();
const senderOf = new Map<string, number>();
const latencies: number[] = [];

function onFrame(index: number, data: WebSocket.RawData): void {
  if (!ledgerKind) return;
  const text = data.toString();
  if (!text.includes('"message.new"')) return;
  const frame = JSON.parse(text) as { message?: { content?: string } };
  const content = frame.message?.content ?? '';
  const now = performance.now();
  if (frames === 0) firstAt = now;
  lastAt = now;
  frames += 1;
  const key = `${content}|${index}`;
  received.set(key, (received.get(key) ?? 0) + 1);
  if (ledgerKind === 'latency') {
    const at = sentAt.get(content);
    if (at !== undefined && senderOf.get(content) !== index) latencies.push(now - at);
  }
}

async function connectAll(cmd: Extract<Command, { type: 'connect' }>) {
  port = cmd.port;
  const started = performance.now();
  let failed = 0;
  let next = 0;
  for (const u of cmd.users) clients.push({ userId: u.userId, token: u.token });
  const open = (index: number) =>
    new Promise<void>((resolve) => {
      const client = clients[index]!;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${client.token}`, { perMessageDeflate: false });
      client.ws = ws;
      let done = false;
      const finish = (ok: boolean) => {
        if (done) return;
        done = true;
        if (!ok) failed += 1;
        resolve();
      };
      ws.once('message', (data) => finish(data.toString().includes('"connected"')));
      ws.on('message', (data) => onFrame(index, data));
      ws.on('error', () => finish(false));
      ws.on('close', () => finish(false));
    });
  const worker = async () => {
    while (next < clients.length) await open(next++);
  };
  await Promise.all(Array.from({ length: cmd.concurrency }, worker));
  const open_ = clients.filter((c) => c.ws?.readyState === WebSocket.OPEN).length;
  return { open: open_, failed, ms: performance.now() - started };
}

/** Each group member opens its conversation (subscribe), as a chat screen would. */
async function subscribeAll(cmd: Extract<Command, { type: 'subscribe' }>) {
  let ok = 0;
  await Promise.all(
    cmd.groups.flatMap((g) =>
      g.members.map(
        (index) =>
          new Promise<void>((resolve) => {
            const ws = clients[index]?.ws;
            // A client that failed to connect (or closes meanwhile) is not waited for: counted as not subscribed.
            if (!ws || ws.readyState !== WebSocket.OPEN) return resolve();
            const onMessage = (data: WebSocket.RawData) => {
              if (!data.toString().includes('"subscribed"')) return;
              ws.off('message', onMessage);
              ok += 1;
              resolve();
            };
            ws.on('message', onMessage);
            ws.once('close', () => resolve());
            ws.send(JSON.stringify({ event: 'subscribe', channel: 'conversation', conversation_id: g.conversationId }));
          }),
      ),
    ),
  );
  return { subscribed: ok };
}

function ledgerStop(cmd: Extract<Command, { type: 'ledger-stop' }>) {
  return new Promise((resolve) => {
    const expected = cmd.expectedMessages * cmd.groupSize;
    let lastFrames = -1;
    let quietSince = performance.now();
    const check = () => {
      let total = 0;
      let duplicates = 0;
      for (const n of received.values()) {
        total += Math.min(n, 1);
        if (n > 1) duplicates += n - 1;
      }
      const now = performance.now();
      if (frames !== lastFrames) {
        lastFrames = frames;
        quietSince = now;
      }
      if (total >= expected || now - quietSince > cmd.quietMs) {
        const sorted = [...latencies].sort((a, b) => a - b);
        const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
        ledgerKind = undefined;
        resolve({
          expected,
          delivered: total,
          lost: expected - total,
          duplicates,
          frames,
          receiveMs: lastAt - firstAt,
          latency: sorted.length ? { count: sorted.length, p50: pct(50), p90: pct(90), p99: pct(99), max: sorted[sorted.length - 1] } : undefined,
        });
        return;
      }
      setTimeout(check, 100);
    };
    check();
  });
}

async function latencyRun(cmd: Extract<Command, { type: 'latency' }>) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const total = cmd.rate * cmd.seconds;
  let sent = 0;
  let ok = 0;
  const errors: Record<string, number> = {};
  const inFlight = new Set<Promise<void>>();
  const post = (i: number) => {
    const group = cmd.groups[i % cmd.groups.length]!;
    const senderIndex = group.members[Math.floor(i / cmd.groups.length) % group.members.length]!;
    const key = `l:${i}:${Math.random().toString(36).slice(2)}`;
    const body = JSON.stringify({ content: key, client_message_id: key.slice(0, 60) });
    senderOf.set(key, senderIndex);
    const p = new Promise<void>((resolve) => {
      sentAt.set(key, performance.now());
      const req = http.request(
        {
          agent,
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `/api/v1/conversations/${group.conversationId}/messages`,
          headers: { authorization: `Bearer ${clients[senderIndex]!.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 201) ok += 1;
            else errors[String(res.statusCode)] = (errors[String(res.statusCode)] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', (err) => {
        errors[err.message] = (errors[err.message] ?? 0) + 1;
        resolve();
      });
      req.end(body);
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  const started = performance.now();
  // Open-loop schedule: message i leaves at started + i / rate, whatever the server's answers do.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * cmd.rate));
      while (sent < due) post(sent++);
      if (sent >= total) return resolve();
      setTimeout(tick, 2);
    };
    tick();
  });
  const sendMs = performance.now() - started;
  await Promise.all([...inFlight]);
  agent.destroy();
  return { posted: sent, created: ok, errors, sendMs, achievedRate: (sent / sendMs) * 1000 };
}

process.on('message', (raw) => {
  const cmd = raw as Command;
  const reply = (result: unknown) => send({ id: cmd.id, ...(result as object) });
  switch (cmd.type) {
    case 'connect':
      void connectAll(cmd).then(reply);
      return;
    case 'subscribe':
      void subscribeAll(cmd).then(reply);
      return;
    case 'ledger-start':
      received.clear();
      latencies.length = 0;
      sentAt.clear();
      senderOf.clear();
      frames = 0;
      ledgerKind = cmd.kind;
      reply({});
      return;
    case 'ledger-stop':
      void ledgerStop(cmd).then(reply);
      return;
    case 'latency':
      void latencyRun(cmd).then(reply);
      return;
  }
});
process.on('disconnect', () => {
  for (const c of clients) c.ws?.terminate();
  process.exit(0);
});
send({ type: 'ready', pid: process.pid });
