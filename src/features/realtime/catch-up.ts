import type { Delivery, RealtimeConnection } from './connection-registry.js';
import type { EventLog } from './realtime.ports.js';

/**
 * Opens a connection's stream: `connected` (with the user's newest seq); with `since`, the events
 * missed since then (or a `resync_required` frame when they are no longer all kept; never for a
 * user with no events yet and since 0); then the live frames `buffered` meanwhile, without those
 * already sent among the missed ones (ephemeral frames, which carry no seq, all go out).
 */
export async function sendConnectedAndMissed(
  conn: RealtimeConnection,
  since: number | undefined,
  log: EventLog,
  buffered: readonly Delivery[],
): Promise<void> {
  const sent = new Set<number>();
  let floor = 0;
  if (since === undefined) {
    conn.send(JSON.stringify({ event: 'connected', user_id: conn.userId, seq: await log.latest(conn.userId) }));
  } else {
    const missed = await log.since(conn.userId, since);
    conn.send(JSON.stringify({ event: 'connected', user_id: conn.userId, seq: missed.latest }));
    if (missed.resyncRequired) {
      conn.send(JSON.stringify({ event: 'resync_required', since, latest_seq: missed.latest }));
      floor = missed.latest;
    } else {
      for (const frame of missed.frames) {
        conn.send(frame);
        sent.add(seqOf(frame));
      }
    }
  }
  for (const d of buffered) if (d.seq === undefined || (d.seq > floor && !sent.has(d.seq))) conn.send(d.frame);
}

function seqOf(frame: string): number {
  return Number(/"seq":(\d+)}$/.exec(frame)?.[1] ?? 0);
}
