/**
 * Scenario 5: SIGTERM to an API under load. Loops of logins (slow: a password hash), conversation
 * reads and chat messages run over kept-alive connections, and three WebSocket clients are open.
 * Every request written before the signal must get its answer (none cut off), the sockets must
 * close with 1001, the process must exit 0, and every acknowledged message must be stored.
 */
import http from 'node:http';
import { WsClient } from '../../test/realtime-helpers.js';
import { Ledger } from './client.js';
import { TribeProcess } from './processes.js';
import { sleep, type Run, type ScenarioResult } from './run.js';

interface Outcome {
  kind: string;
  /** When the request was fully written (undefined: never). */
  written: number | undefined;
  end: number;
  status: number;
  error?: string;
}

function send(agent: http.Agent, port: number, kind: string, method: string, path: string, token: string | undefined, body: unknown): Promise<Outcome> {
  return new Promise((resolve) => {
    let written: number | undefined;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
        timeout: 20_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ kind, written, end: performance.now(), status: res.statusCode ?? 0 }));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ kind, written, end: performance.now(), status: 0, error: err.code ?? err.message }));
      },
    );
    req.on('finish', () => (written = performance.now()));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ kind, written, end: performance.now(), status: 0, error: err.code ?? err.message }));
    req.end(payload);
  });
}

export async function sigtermUnderLoad(run: Run): Promise<ScenarioResult> {
  const api = await TribeProcess.api(run.deployment);
  const [hub, a, b] = [run.hub, run.others[0]!, run.others[1]!];
  const sockets = await Promise.all([hub, a, b].map((u) => WsClient.connect(api.ws, `token=${u.token}`)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const ledger = new Ledger();
  const outcomes: Outcome[] = [];
  let stop = false;
  let n = 0;
  const loops = [
    ...Array.from({ length: 4 }, () => () => send(agent, api.port!, 'login', 'POST', '/api/v1/auth/login', undefined, { email: a.email, password: a.password })),
    ...Array.from({ length: 4 }, () => () => send(agent, api.port!, 'read', 'GET', '/api/v1/conversations', hub.token, undefined)),
    ...Array.from({ length: 4 }, () => async () => {
      const key = `s5-${n++}`;
      const o = await send(agent, api.port!, 'message', 'POST', `/api/v1/conversations/${run.conversationId}/messages`, hub.token, { content: key, client_message_id: key });
      ledger.record('message', key, o.status);
      return o;
    }),
  ].map(async (request) => {
    // Until the process is gone: then one more attempt (refused) ends the loop.
    while (!stop) {
      const o = await request();
      outcomes.push(o);
      if (o.status === 0 && !api.alive) return;
      if (o.status === 0 || o.status === 503) await sleep(20);
    }
  });

  await sleep(2000);
  const termAt = performance.now();
  const inFlight = outcomes.length;
  const exit = api.terminate();
  const closes = await Promise.all(sockets.map((s) => Promise.race([s.closed, sleep(15_000).then(() => ({ code: -1, reason: 'not closed' }))])));
  const { code, signal, ms } = await exit;
  stop = true;
  await Promise.all(loops);
  agent.destroy();

  const before = outcomes.filter((o) => o.written !== undefined && o.written < termAt);
  const cutOff = before.filter((o) => o.status === 0);
  const answeredAfterTerm = before.filter((o) => o.end > termAt && o.status !== 0);
  const after = outcomes.filter((o) => o.written === undefined || o.written >= termAt);
  const afterStatus: Record<string, number> = {};
  for (const o of after) afterStatus[o.status ? String(o.status) : (o.error ?? 'error')] = (afterStatus[o.status ? String(o.status) : (o.error ?? 'error')] ?? 0) + 1;

  const keys = ledger.acked('message').map((e) => e.key);
  const { rows } = await run.db.query<{ n: number }>(`select count(distinct client_message_id)::int as n from messages where client_message_id = any($1::text[])`, [keys]);
  const stored = Number(rows[0]?.n ?? 0);

  const failures: string[] = [];
  if (cutOff.length > 0) failures.push(`${cutOff.length} requests written before SIGTERM got no answer: ${cutOff.map((o) => `${o.kind} ${o.error} (${Math.round(termAt - o.written!)} ms before)`).join(', ')}`);
  if (closes.some((c) => c.code !== 1001)) failures.push(`WebSocket close codes ${closes.map((c) => c.code).join(', ')} (expected 1001)`);
  if (code !== 0) failures.push(`exit ${code ?? signal}`);
  if (stored !== keys.length) failures.push(`${keys.length - stored} acknowledged messages not stored`);
  return {
    name: '5. SIGTERM under load',
    acked: ledger.summary(),
    effects: [],
    figures: {
      'requests written before SIGTERM': before.length,
      'of those answered after the signal (in flight)': answeredAfterTerm.length,
      'of those cut off (no answer)': cutOff.length,
      'requests after the signal': JSON.stringify(afterStatus),
      'WebSocket close codes': closes.map((c) => c.code).join(', '),
      'exit (code, ms after SIGTERM)': `${code ?? signal}, ${ms} ms`,
      'acknowledged messages stored': `${stored} of ${keys.length}`,
      'answers completed before the signal': inFlight,
    },
    failures,
  };
}
