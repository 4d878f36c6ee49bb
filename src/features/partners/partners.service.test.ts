import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeBlock, makeFriends, makeUser, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import type { DomainEventName, DomainEvents } from '../../infra/bus/domain-events.js';
import { FakeClock } from '../../infra/clock/clock.js';
import { queryRows } from '../../infra/db/rows.js';
import { AppError } from '../../lib/app-error.js';
import { arePartners } from '../privacy/privacy.sql.js';
import { PartnersService } from './partners.service.js';

let t: TestApp;
let clock: FakeClock;
let partners: PartnersService;
const events: Array<{ name: DomainEventName; payload: unknown }> = [];

const PARTNER_EVENTS: DomainEventName[] = [
  'partner.proposed',
  'partner.accepted',
  'partner.declined',
  'partner.cancelled',
  'partner.status_changed',
];

beforeAll(async () => {
  clock = new FakeClock('2026-03-01T09:00:00Z');
  t = await createTestApp({ clock });
  // Built here rather than read from the context, so these tests do not depend on its wiring.
  partners = new PartnersService(t.ctx.database, t.ctx.bus, clock);
  for (const name of PARTNER_EVENTS) {
    t.ctx.bus.onCommit(name, (payload) => void events.push({ name, payload }));
  }
});
afterAll(async () => t.close());

async function friends(): Promise<[TestUser, TestUser]> {
  const a = await makeUser(t.ctx);
  const b = await makeUser(t.ctx);
  await makeFriends(t.ctx, a, b);
  return [a, b];
}

/** Events published for a partnership since the test began (after the bus delivered them). */
async function eventsFor(partnershipId: string): Promise<Array<{ name: DomainEventName; payload: unknown }>> {
  await t.ctx.bus.drain();
  return events.filter((e) => (e.payload as { partnershipId: string }).partnershipId === partnershipId);
}

async function pairRows(a: TestUser, b: TestUser): Promise<Array<Record<string, unknown>>> {
  const result = (await t.ctx.database.db.execute(
    sql`select * from accountability_partners where (user_id = ${a.id} and partner_id = ${b.id})
      or (user_id = ${b.id} and partner_id = ${a.id})`,
  )) as unknown as { rows: Array<Record<string, unknown>> };
  return result.rows;
}

function codeOf(result: PromiseSettledResult<unknown>): string | undefined {
  return result.status === 'rejected' && result.reason instanceof AppError ? result.reason.code : undefined;
}

async function activePartners(): Promise<[TestUser, TestUser, string]> {
  const [a, b] = await friends();
  const { row } = await partners.propose(a.id, b.id, 'weekly');
  await partners.accept(b.id, row.id);
  return [a, b, row.id];
}

describe('PartnersService proposals', () => {
  it('a proposal is pending, dated now, and publishes partner.proposed', async () => {
    const [a, b] = await friends();
    const result = await partners.propose(a.id, b.id, 'daily');
    expect(result.outcome).toBe('proposed');
    expect(result.row).toMatchObject({ userId: a.id, partnerId: b.id, requestedBy: a.id, status: 'pending', checkInFrequency: 'daily' });
    expect(result.row.startedAt.toISOString()).toBe(clock.now().toISOString());
    expect(result.row.respondedAt).toBeNull();
    expect(result.partner).toEqual({ id: b.id, username: b.username, fullName: b.user.fullName, profileImageUrl: null });
    expect(await eventsFor(result.row.id)).toEqual([
      {
        name: 'partner.proposed',
        payload: { partnershipId: result.row.id, proposerId: a.id, partnerId: b.id, checkInFrequency: 'daily' },
      } satisfies { name: 'partner.proposed'; payload: DomainEvents['partner.proposed'] },
    ]);
  });

  it('accepting sets active, started_at and responded_at to the acceptance time and publishes partner.accepted', async () => {
    const [a, b] = await friends();
    const { row } = await partners.propose(a.id, b.id, 'weekly');
    clock.advance(60_000);
    const accepted = await partners.accept(b.id, row.id);
    expect(accepted.row.status).toBe('active');
    expect(accepted.row.startedAt.toISOString()).toBe(clock.now().toISOString());
    expect(accepted.row.respondedAt?.toISOString()).toBe(clock.now().toISOString());
    expect(accepted.partner.id).toBe(a.id);
    expect((await eventsFor(row.id)).map((e) => e.name)).toEqual(['partner.proposed', 'partner.accepted']);
    expect((await eventsFor(row.id))[1]?.payload).toEqual({ partnershipId: row.id, proposerId: a.id, accepterId: b.id });
  });

  it('proposing back to someone who proposed to you accepts their proposal (their frequency kept)', async () => {
    const [a, b] = await friends();
    const first = await partners.propose(a.id, b.id, 'weekly');
    const second = await partners.propose(b.id, a.id, 'daily');
    expect(second.outcome).toBe('accepted');
    expect(second.row).toMatchObject({ id: first.row.id, status: 'active', checkInFrequency: 'weekly', requestedBy: a.id });
    expect((await eventsFor(first.row.id)).map((e) => e.name)).toEqual(['partner.proposed', 'partner.accepted']);
  });

  it('an ended partnership is restarted on the same row as a new proposal from the new proposer', async () => {
    const [a, b, id] = await activePartners();
    await partners.changeStatus(a.id, id, 'end');
    clock.advance(3_600_000);
    const restarted = await partners.propose(b.id, a.id, 'daily');
    expect(restarted.outcome).toBe('proposed');
    expect(restarted.row).toMatchObject({
      id,
      userId: b.id,
      partnerId: a.id,
      requestedBy: b.id,
      status: 'pending',
      checkInFrequency: 'daily',
      respondedAt: null,
      endedAt: null,
    });
    expect(restarted.row.startedAt.toISOString()).toBe(clock.now().toISOString());
    expect(await pairRows(a, b)).toHaveLength(1);
    // Now a is the addressee.
    expect((await partners.accept(a.id, id)).row.status).toBe('active');
  });

  it('proposing again while your own proposal is pending → partnership_exists, nothing changed', async () => {
    const [a, b] = await friends();
    await partners.propose(a.id, b.id, 'weekly');
    const before = await pairRows(a, b);
    await expect(partners.propose(a.id, b.id, 'daily')).rejects.toMatchObject({ code: 'partnership_exists', kind: 'conflict' });
    expect(await pairRows(a, b)).toEqual(before);
  });

  it.each(['active', 'paused'] as const)('while the partnership is %s, a proposal from either side → partnership_exists', async (state) => {
    const [a, b, id] = await activePartners();
    if (state === 'paused') await partners.changeStatus(a.id, id, 'pause');
    const before = await pairRows(a, b);
    await expect(partners.propose(a.id, b.id, 'daily')).rejects.toMatchObject({ code: 'partnership_exists' });
    await expect(partners.propose(b.id, a.id, 'daily')).rejects.toMatchObject({ code: 'partnership_exists' });
    expect(await pairRows(a, b)).toEqual(before);
  });

  it('refuses yourself (422), strangers (403), unknown, deactivated and blocked users (404)', async () => {
    const [a, b] = await friends();
    const stranger = await makeUser(t.ctx);
    const [c, blocker] = await friends();
    await makeBlock(t.ctx, blocker, c);
    const [d, gone] = await friends();
    await t.ctx.services.users.deactivate(gone.id);
    const rowsBefore = await countRows(t.ctx, 'accountability_partners');
    await expect(partners.propose(a.id, a.id, 'daily')).rejects.toMatchObject({ code: 'cannot_partner_self', kind: 'validation' });
    await expect(partners.propose(a.id, stranger.id, 'daily')).rejects.toMatchObject({ code: 'partners_must_be_friends', kind: 'forbidden' });
    await expect(partners.propose(a.id, '00000000-0000-4000-8000-000000000000', 'daily')).rejects.toMatchObject({ code: 'user_not_found' });
    await expect(partners.propose(c.id, blocker.id, 'daily')).rejects.toMatchObject({ code: 'user_not_found' });
    await expect(partners.propose(blocker.id, c.id, 'daily')).rejects.toMatchObject({ code: 'user_not_found' });
    await expect(partners.propose(d.id, gone.id, 'daily')).rejects.toMatchObject({ code: 'user_not_found' });
    expect(await countRows(t.ctx, 'accountability_partners')).toBe(rowsBefore);
    expect(b).toBeDefined();
  });

  it('accepting after the two stopped being friends → 403 partners_must_be_friends, still pending', async () => {
    const [a, b] = await friends();
    const { row } = await partners.propose(a.id, b.id, 'weekly');
    await t.ctx.database.db.execute(sql`delete from friendships where user_id = ${a.id} and friend_id = ${b.id}`);
    await expect(partners.accept(b.id, row.id)).rejects.toMatchObject({ code: 'partners_must_be_friends' });
    expect((await pairRows(a, b))[0]?.status).toBe('pending');
  });
});

describe('PartnersService under concurrency', () => {
  it('accept and decline at once: exactly one wins, the other gets partnership_not_found', async () => {
    const [a, b] = await friends();
    const { row } = await partners.propose(a.id, b.id, 'weekly');
    const [accepted, declined] = await Promise.allSettled([partners.accept(b.id, row.id), partners.decline(b.id, row.id)]);
    const wins = [accepted, declined].filter((r) => r.status === 'fulfilled');
    expect(wins).toHaveLength(1);
    const loser = accepted.status === 'fulfilled' ? declined : accepted;
    expect(codeOf(loser)).toBe('partnership_not_found');
    const rows = await pairRows(a, b);
    if (accepted.status === 'fulfilled') expect(rows.map((r) => r.status)).toEqual(['active']);
    else expect(rows).toEqual([]);
  });

  it('the same proposal twice at once leaves one row: one succeeds, one gets partnership_exists', async () => {
    const [a, b] = await friends();
    const results = await Promise.allSettled([partners.propose(a.id, b.id, 'weekly'), partners.propose(a.id, b.id, 'weekly')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.map(codeOf).filter(Boolean)).toEqual(['partnership_exists']);
    expect(await pairRows(a, b)).toHaveLength(1);
  });

  it('two friends proposing to each other at once end up partners on one row', async () => {
    const [a, b] = await friends();
    const results = await Promise.all([partners.propose(a.id, b.id, 'weekly'), partners.propose(b.id, a.id, 'weekly')]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['accepted', 'proposed']);
    const rows = await pairRows(a, b);
    expect(rows.map((r) => r.status)).toEqual(['active']);
  });

  it('pause and end at once: both apply in some order, never a lost update', async () => {
    const [a, b, id] = await activePartners();
    const results = await Promise.allSettled([partners.changeStatus(a.id, id, 'pause'), partners.changeStatus(b.id, id, 'end')]);
    const rows = await pairRows(a, b);
    expect(rows[0]?.status).toBe('ended');
    // Pause after end is refused; end after pause succeeds.
    if (results[0].status === 'rejected') expect(codeOf(results[0])).toBe('invalid_partnership_state');
    expect(results[1].status).toBe('fulfilled');
  });
});

describe('PartnersService lifecycle', () => {
  it('pause → resume → end, each publishing partner.status_changed with actor and other', async () => {
    const [a, b, id] = await activePartners();
    expect((await partners.changeStatus(a.id, id, 'pause')).row.status).toBe('paused');
    expect((await partners.changeStatus(b.id, id, 'resume')).row.status).toBe('active');
    clock.advance(1000);
    const ended = await partners.changeStatus(b.id, id, 'end');
    expect(ended.row.status).toBe('ended');
    expect(ended.row.endedAt?.toISOString()).toBe(clock.now().toISOString());
    const changes = (await eventsFor(id)).filter((e) => e.name === 'partner.status_changed').map((e) => e.payload);
    expect(changes).toEqual([
      { partnershipId: id, actorId: a.id, otherId: b.id, status: 'paused' },
      { partnershipId: id, actorId: b.id, otherId: a.id, status: 'active' },
      { partnershipId: id, actorId: b.id, otherId: a.id, status: 'ended' },
    ]);
  });

  it('decline and cancel remove the proposal and publish partner.declined / partner.cancelled', async () => {
    const [a, b] = await friends();
    const declined = await partners.propose(a.id, b.id, 'weekly');
    await partners.decline(b.id, declined.row.id);
    expect(await pairRows(a, b)).toEqual([]);
    expect((await eventsFor(declined.row.id)).at(-1)).toEqual({
      name: 'partner.declined',
      payload: { partnershipId: declined.row.id, proposerId: a.id, declinerId: b.id },
    });
    const cancelled = await partners.propose(a.id, b.id, 'weekly');
    await partners.cancel(a.id, cancelled.row.id);
    expect(await pairRows(a, b)).toEqual([]);
    expect((await eventsFor(cancelled.row.id)).at(-1)).toEqual({
      name: 'partner.cancelled',
      payload: { partnershipId: cancelled.row.id, proposerId: a.id, partnerId: b.id },
    });
  });
});

describe('PartnersService for other features', () => {
  it('arePartners and partnerIds count active and paused partnerships, not pending or ended ones', async () => {
    const me = await makeUser(t.ctx);
    const [active, paused, pending, ended] = await Promise.all([1, 2, 3, 4].map(() => makeUser(t.ctx)));
    for (const other of [active!, paused!, pending!, ended!]) await makeFriends(t.ctx, me, other);
    const propose = async (other: TestUser) => (await partners.propose(me.id, other.id, 'weekly')).row.id;
    await partners.accept(active!.id, await propose(active!));
    const pausedId = await propose(paused!);
    await partners.accept(paused!.id, pausedId);
    await partners.changeStatus(me.id, pausedId, 'pause');
    await propose(pending!);
    const endedId = await propose(ended!);
    await partners.accept(ended!.id, endedId);
    await partners.changeStatus(ended!.id, endedId, 'end');

    expect((await partners.partnerIds(me.id)).sort()).toEqual([active!.id, paused!.id].sort());
    expect(await partners.partnerIds(active!.id)).toEqual([me.id]);
    expect(await partners.arePartners(me.id, active!.id)).toBe(true);
    expect(await partners.arePartners(paused!.id, me.id)).toBe(true);
    expect(await partners.arePartners(me.id, pending!.id)).toBe(false);
    expect(await partners.arePartners(me.id, ended!.id)).toBe(false);
    expect(await partners.arePartners(me.id, me.id)).toBe(false);
    // The privacy predicate agrees.
    const [shared] = await queryRows<{ partners: boolean }>(
      t.ctx.database.db,
      sql`select ${arePartners(me.id, sql`${paused!.id}::uuid`)} as partners`,
    );
    expect(shared?.partners).toBe(true);
  });

  it('partners hidden by a block or a deactivated account are not counted', async () => {
    const [a, b, id] = await activePartners();
    await makeBlock(t.ctx, a, b);
    expect(await partners.partnerIds(a.id)).toEqual([]);
    expect(await partners.arePartners(b.id, a.id)).toBe(false);
    const [c, d] = await activePartners();
    await t.ctx.services.users.deactivate(d.id);
    expect(await partners.partnerIds(c.id)).toEqual([]);
    expect(id).toBeDefined();
  });

  it('endEverythingBetween ends an active partnership (ended_at, one status_changed event) and is idempotent', async () => {
    const [a, b, id] = await activePartners();
    await partners.endEverythingBetween(b.id, a.id);
    await partners.endEverythingBetween(a.id, b.id);
    const [row] = await pairRows(a, b);
    expect(row?.status).toBe('ended');
    expect(row?.ended_at).not.toBeNull();
    expect((await eventsFor(id)).filter((e) => e.name === 'partner.status_changed').map((e) => e.payload)).toEqual([
      { partnershipId: id, actorId: b.id, otherId: a.id, status: 'ended' },
    ]);
  });

  it('endEverythingBetween ends a paused partnership too', async () => {
    const [a, b, id] = await activePartners();
    await partners.changeStatus(a.id, id, 'pause');
    await partners.endEverythingBetween(a.id, b.id);
    expect((await pairRows(a, b))[0]?.status).toBe('ended');
  });

  it('endEverythingBetween removes a pending proposal without publishing a status change', async () => {
    const [a, b] = await friends();
    const { row } = await partners.propose(a.id, b.id, 'weekly');
    await partners.endEverythingBetween(b.id, a.id);
    expect(await pairRows(a, b)).toEqual([]);
    expect((await eventsFor(row.id)).map((e) => e.name)).toEqual(['partner.proposed']);
  });

  it('endEverythingBetween with nothing between the two (or yourself) does nothing', async () => {
    const [a, b] = await friends();
    await expect(partners.endEverythingBetween(a.id, b.id)).resolves.toBeUndefined();
    await expect(partners.endEverythingBetween(a.id, a.id)).resolves.toBeUndefined();
  });

  it('endEverythingBetween racing an accept: the pair ends up ended or without a row, never active', async () => {
    const [a, b] = await friends();
    const { row } = await partners.propose(a.id, b.id, 'weekly');
    await makeBlock(t.ctx, a, b);
    await Promise.allSettled([partners.accept(b.id, row.id), partners.endEverythingBetween(a.id, b.id)]);
    const rows = await pairRows(a, b);
    expect(rows.every((r) => r.status === 'ended')).toBe(true);
  });
});

describe('registerPartnersSubscriptions (as the context wires it)', () => {
  it('when two partners stop being friends (friend.removed), their partnership ends', async () => {
    const [a, b] = await activePartners();
    await t.ctx.bus.publish(t.ctx.database.db, 'friend.removed', { userId: b.id, friendId: a.id });
    await t.ctx.bus.drain();
    expect((await pairRows(a, b))[0]?.status).toBe('ended');
  });
});
