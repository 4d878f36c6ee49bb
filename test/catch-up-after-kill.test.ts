import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { inspectCatchUp, sendThenKill, waitForCatchUp } from '../scripts/faults/catch-up.js';
import { must, register } from '../scripts/faults/client.js';
import { killAll, TribeProcess, type Deployment } from '../scripts/faults/processes.js';
import { createDatabaseFromTemplate, databaseUrlFor, dropDatabase } from './pg-admin.js';

/**
 * Issue 17: "a test kills an instance right after a send and checks the catch-up". Real processes
 * (the README's API and worker commands: two API instances, one worker) on a fresh database of the
 * shared PostgreSQL and a Redis key prefix of their own: messages acknowledged by an instance
 * SIGKILLed the instant the last 2xx arrives are all in the recipient's catch-up log read from the
 * other instance (the backstop job delivers what the dead one did not), once each, seqs
 * contiguous, resync_required false. Production mode only.
 */
const baseUrl = process.env.DATABASE_URL;
const production = Boolean(baseUrl && process.env.REDIS_URL);

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  await killAll();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.skipIf(!production)('issue 17: the catch-up after an instance is SIGKILLed right after a send', () => {
  it('every acknowledged message is in GET /realtime/events?since= once, seqs contiguous, resync_required false', { timeout: 90_000 }, async () => {
    const name = `${inject('pgRunPrefix')}_kill_${randomBytes(4).toString('hex')}`;
    await createDatabaseFromTemplate(baseUrl!, name, inject('pgTemplateDatabase'));
    cleanups.push(() => dropDatabase(baseUrl!, name));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tribe-kill-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const deployment: Deployment = {
      databaseUrl: databaseUrlFor(baseUrl!, name),
      redisUrl: process.env.REDIS_URL!,
      redisKeyPrefix: `tribe-test:${randomUUID()}:`,
      jwtSecret: randomBytes(32).toString('hex'),
      dataDir: path.join(dir, 'data'),
      logDir: dir,
    };
    // The first instance creates the job queues alone: two processes creating them at once on a
    // fresh database can deadlock in pg-boss's createQueue (reported to the lead). Then the worker
    // and the second instance, which the reader catches up from once the first is dead.
    const api = await TribeProcess.api(deployment);
    const [worker, other] = await Promise.all([TribeProcess.worker(deployment), TribeProcess.api(deployment)]);

    const [a, b] = await Promise.all([register(api.base, 'killa'), register(api.base, 'killb')]);
    const request = await must<{ id: string }>(api.base, 'POST', '/api/v1/friends/requests', a.token, { user_id: b.id });
    await must(api.base, 'PUT', `/api/v1/friends/requests/${request.id}/accept`, b.token);
    const conversation = await must<{ id: string }>(api.base, 'POST', '/api/v1/conversations', a.token, { conversation_type: 'direct', participant_ids: [b.id] });
    const before = await must<{ latest_seq: number }>(api.base, 'GET', '/api/v1/realtime/events?since=0', b.token);

    const { acked, refused } = await sendThenKill(api, a, conversation.id, 5, 'kill');
    expect({ acked: acked.length, refused }).toEqual({ acked: 5, refused: 0 });
    expect((await api.exited).signal).toBe('SIGKILL');

    const ids = acked.map((m) => m.id);
    const { catchUp, complete } = await waitForCatchUp(other.base, b, before.latest_seq, ids, 20_000);
    expect(complete, JSON.stringify(catchUp)).toBe(true);
    expect(catchUp.resync_required).toBe(false);
    const { copies, contiguous } = inspectCatchUp(catchUp, ids, before.latest_seq);
    expect([...copies.values()]).toEqual(ids.map(() => 1));
    expect(contiguous).toBe(true);
    expect(worker.alive).toBe(true);
  });
});
