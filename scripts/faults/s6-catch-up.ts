/**
 * Scenario 6: the catch-up after an instance is SIGKILLed. User B has a WebSocket on instance 1
 * and one on instance 2; A sends messages through instance 1, which is SIGKILLed the instant the
 * last is acknowledged. B's socket on instance 2 must receive every acknowledged message (live
 * over Redis, or from the backstop job the worker runs 5 s after each commit), B reconnecting to
 * instance 2 with `since=` must be handed what it missed, and `GET /realtime/events?since=` must
 * hold every acknowledged message exactly once with `resync_required: false`.
 */
import { WsClient, type Frame } from '../../test/realtime-helpers.js';
import { inspectCatchUp, sendThenKill, waitForCatchUp } from './catch-up.js';
import { TribeProcess } from './processes.js';
import { sleep, type Run, type ScenarioResult } from './run.js';

const MESSAGES = 12;

const messageIds = (frames: Frame[]) => frames.filter((f) => f.event === 'message.new').map((f) => (f.message as { id: string }).id);

export async function catchUpAfterKill(run: Run): Promise<ScenarioResult> {
  const [a, b] = [run.hub, run.others[0]!];
  const instance1 = await TribeProcess.api(run.deployment);
  const instance2 = run.api;
  const b1 = await WsClient.connect(instance1.ws, `token=${b.token}`);
  const b2 = await WsClient.connect(instance2.ws, `token=${b.token}`);
  const seqBefore = Number((b1.frames[0] as { seq?: number }).seq ?? 0);

  const { acked, refused, killedAt } = await sendThenKill(instance1, a, run.conversationId, MESSAGES, 's6');
  const ids = acked.map((m) => m.id);
  await b1.closed;
  // The backstop runs 5 s after each commit: what instance 2's socket has a second after the kill came live.
  await sleep(1000);
  const liveOnB2 = new Set(messageIds(b2.frames).filter((id) => ids.includes(id)));
  const lastSeqOn1 = Math.max(seqBefore, ...b1.frames.map((f) => f.seq ?? 0));
  const seenOn1 = new Set(messageIds(b1.frames));

  // B's first device reconnects to instance 2 with the last seq it saw.
  const b1again = await WsClient.connect(instance2.ws, `token=${b.token}&since=${lastSeqOn1}`);
  const { catchUp, complete } = await waitForCatchUp(instance2.base, b, seqBefore, ids, 20_000);
  const completeAfter = (performance.now() - killedAt) / 1000;
  // Give the live frames of the backstop a moment to reach the sockets.
  const liveDeadline = performance.now() + 3000;
  while (performance.now() < liveDeadline && !ids.every((id) => messageIds(b2.frames).includes(id) && (seenOn1.has(id) || messageIds(b1again.frames).includes(id)))) await sleep(100);
  const { copies, contiguous } = inspectCatchUp(catchUp, ids, seqBefore);

  const onB2 = messageIds(b2.frames);
  const device1 = [...seenOn1, ...messageIds(b1again.frames)];
  const failures: string[] = [];
  if (!complete) failures.push(`catch-up incomplete after 20 s: ${ids.filter((id) => copies.get(id) === 0).length} of ${ids.length} missing`);
  if (catchUp.resync_required) failures.push('catch-up answered resync_required: true');
  if ([...copies.values()].some((c) => c > 1)) failures.push('a message appears twice in the catch-up');
  if (!contiguous) failures.push('catch-up seqs are not contiguous');
  // Live frames are best-effort (the catch-up is the guarantee): a frame the dead instance logged
  // but did not publish is skipped by the backstop (its once key is set), so it is counted, not failed.
  const missingOnB2 = ids.filter((id) => !onB2.includes(id));
  const dupOnB2 = onB2.length - new Set(onB2).size;
  if (dupOnB2 > 0) failures.push(`${dupOnB2} duplicate message.new frames on instance 2`);
  const missingDevice1 = ids.filter((id) => !device1.includes(id));
  if (missingDevice1.length > 0) failures.push(`${missingDevice1.length} messages missing on B's first device after reconnecting with since=${lastSeqOn1}`);
  await Promise.all([b1again.close(), b2.close()]);
  return {
    name: '6. catch-up after an instance SIGKILL (two APIs, B on both)',
    acked: { message: acked.length },
    effects: [],
    figures: {
      'messages acknowledged by instance 1': `${acked.length} (refused: ${refused})`,
      'seen on B’s socket to instance 1 before it died': ids.filter((id) => seenOn1.has(id)).length,
      'received on B’s socket to instance 2': `${new Set(onB2).size} (live within 1 s of the kill: ${liveOnB2.size}, later by the backstop: ${new Set(onB2).size - liveOnB2.size}; duplicates ${dupOnB2})`,
      'never live on B’s socket to instance 2 (logged, not published, by the dying instance)': missingOnB2.length,
      'B’s first device after reconnecting with since': `${device1.length} of ${ids.length}`,
      'in GET /realtime/events?since': `${[...copies.values()].filter((c) => c > 0).length} of ${ids.length}, resync_required ${catchUp.resync_required}, contiguous ${contiguous}`,
      'catch-up complete (s after the kill)': completeAfter.toFixed(1),
    },
    failures,
  };
}
