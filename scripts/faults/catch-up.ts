/**
 * Sending chat messages through an API process that is SIGKILLed the instant the last one is
 * acknowledged, and reading a user's catch-up log (`GET /api/v1/realtime/events?since=`) until it
 * holds them: shared by scenario 6 of `npm run test:faults` and test/catch-up-after-kill.test.ts.
 */
import { call, ok, type User } from './client.js';
import type { TribeProcess } from './processes.js';
import { sleep } from './run.js';

export interface Acked {
  id: string;
  clientMessageId: string;
  /** performance.now() when its 2xx arrived. */
  at: number;
}

/** Sends `count` messages at once through `api`; SIGKILLs it when the last answer arrives. */
export async function sendThenKill(api: TribeProcess, sender: User, conversationId: string, count: number, tag: string): Promise<{ acked: Acked[]; refused: number; killedAt: number }> {
  const acked: Acked[] = [];
  let refused = 0;
  let pending = count;
  let killedAt = 0;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const key = `${tag}-${i}`;
      const r = await call<{ id: string }>(api.base, 'POST', `/api/v1/conversations/${conversationId}/messages`, sender.token, { content: key, client_message_id: key });
      if (ok(r)) acked.push({ id: r.body.id, clientMessageId: key, at: performance.now() });
      else refused++;
      if (--pending === 0) {
        api.child.kill('SIGKILL');
        killedAt = performance.now();
      }
    }),
  );
  await api.exited;
  return { acked, refused, killedAt };
}

export interface CatchUpEvent {
  event: string;
  seq: number;
  message?: { id: string };
}

export interface CatchUp {
  events: CatchUpEvent[];
  latest_seq: number;
  resync_required: boolean;
}

/** Polls the catch-up of `reader` since `since` until it holds every id of `ids` (or `timeoutMs`). */
export async function waitForCatchUp(base: string, reader: User, since: number, ids: string[], timeoutMs: number): Promise<{ catchUp: CatchUp; complete: boolean }> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const r = await call<CatchUp>(base, 'GET', `/api/v1/realtime/events?since=${since}`, reader.token);
    if (ok(r)) {
      const seen = new Set(r.body.events.filter((e) => e.event === 'message.new').map((e) => e.message?.id));
      const complete = ids.every((id) => seen.has(id));
      if (complete || r.body.resync_required || performance.now() > deadline) return { catchUp: r.body, complete };
    } else if (performance.now() > deadline) {
      throw new Error(`catch-up answered ${r.status} ${r.error ?? ''}`);
    }
    await sleep(200);
  }
}

/** How often each id appears as a message.new, and whether the seqs run without a gap. */
export function inspectCatchUp(catchUp: CatchUp, ids: string[], since: number): { copies: Map<string, number>; contiguous: boolean } {
  const copies = new Map(ids.map((id) => [id, 0]));
  for (const e of catchUp.events) if (e.event === 'message.new' && e.message && copies.has(e.message.id)) copies.set(e.message.id, copies.get(e.message.id)! + 1);
  const contiguous = catchUp.events.every((e, i) => e.seq === since + i + 1);
  return { copies, contiguous };
}
