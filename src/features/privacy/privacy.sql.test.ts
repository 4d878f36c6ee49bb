import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBlock, makeFriends, makeUser, setProfileVisibility, type TestUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { queryRows } from '../../infra/db/rows.js';
import { makePartners } from '../goals/goals.test-helpers.js';
import { canMessage, canSeeFullProfile, canSeeUser, type Relationship } from './privacy.policy.js';
import type { MessageAudience, ProfileVisibility } from './privacy.vocabulary.js';
import {
  accountActive,
  areFriends,
  arePartners,
  blockedEitherWay,
  mayMessage,
  maySeeFullProfile,
  maySeeUser,
} from './privacy.sql.js';

/**
 * The SQL predicates (privacy.sql.ts) against their truth tables (privacy.policy.ts): every
 * relationship between a viewer and a target, under every profile_visibility, who_can_send_messages
 * and account state of the target, in a real database. Each predicate is evaluated twice, with the
 * subjects bound as ids and as columns of the enclosing query, and must equal the TypeScript answer.
 */

type AccountState = 'active' | 'deactivated' | 'deleted';

interface RelationCase {
  name: string;
  rel: Relationship;
  /** Builds the relationship between the viewer and a fresh target (or answers the viewer). */
  target(viewer: TestUser): Promise<TestUser>;
}

const facts = (overrides: Partial<Relationship>): Relationship => ({
  isSelf: false,
  areFriends: false,
  blockedEitherWay: false,
  arePartners: false,
  mutualFriends: 0,
  ...overrides,
});

let t: TestApp;
let viewer: TestUser;

const fresh = () => makeUser(t.ctx);

const RELATIONS: RelationCase[] = [
  { name: 'self', rel: facts({ isSelf: true }), target: async (v) => v },
  { name: 'a stranger', rel: facts({}), target: fresh },
  {
    name: 'a friend',
    rel: facts({ areFriends: true }),
    target: async (v) => {
      const u = await fresh();
      await makeFriends(t.ctx, v, u);
      return u;
    },
  },
  {
    name: 'a friend who sent the request the other way',
    rel: facts({ areFriends: true }),
    target: async (v) => {
      const u = await fresh();
      await makeFriends(t.ctx, u, v);
      return u;
    },
  },
  {
    name: 'a partner (friends, active partnership)',
    rel: facts({ areFriends: true, arePartners: true }),
    target: async (v) => {
      const u = await fresh();
      await makeFriends(t.ctx, v, u);
      await makePartners(t.ctx, u, v, 'active');
      return u;
    },
  },
  {
    name: 'a user the viewer blocked',
    rel: facts({ blockedEitherWay: true }),
    target: async (v) => {
      const u = await fresh();
      await makeBlock(t.ctx, v, u);
      return u;
    },
  },
  {
    // Blocking ends the friendship (settings/blocks.service.ts), so a block never stands beside one.
    name: 'a former friend who blocked the viewer',
    rel: facts({ blockedEitherWay: true }),
    target: async (v) => {
      const u = await fresh();
      await makeFriends(t.ctx, v, u);
      await t.ctx.services.blocks.block(u.id, v.id, null);
      return u;
    },
  },
  {
    name: 'a user who blocked the viewer',
    rel: facts({ blockedEitherWay: true }),
    target: async (v) => {
      const u = await fresh();
      await makeBlock(t.ctx, u, v);
      return u;
    },
  },
];

const VISIBILITIES: ProfileVisibility[] = ['everyone', 'friends_only', 'private'];
const AUDIENCES: MessageAudience[] = ['everyone', 'friends_only'];
const STATES: AccountState[] = ['active', 'deactivated', 'deleted'];

async function setTargetState(target: TestUser, visibility: ProfileVisibility, audience: MessageAudience, state: AccountState) {
  await setProfileVisibility(t.ctx, target, visibility);
  // Written directly: the settings use case refuses a deleted account, and no use case deletes an
  // account or undoes a deactivation yet.
  await t.ctx.database.db.execute(sql`insert into user_settings (user_id, who_can_send_messages) values (${target.id}, ${audience})
    on conflict (user_id) do update set who_can_send_messages = excluded.who_can_send_messages`);
  await t.ctx.database.db.execute(sql`update users set
      is_active = ${state !== 'deactivated'},
      deactivated_at = ${state === 'deactivated' ? sql`now()` : sql`null`},
      deleted_at = ${state === 'deleted' ? sql`now()` : sql`null`}
    where id = ${target.id}`);
}

interface Answers {
  [key: string]: unknown;
  visible: boolean;
  full_profile: boolean;
  message: boolean;
  blocked: boolean;
  friends: boolean;
  partners: boolean;
  active: boolean;
}

function predicates(v: SQL, target: SQL): SQL {
  return sql`${maySeeUser(v, target)} as visible, ${maySeeFullProfile(v, target)} as full_profile,
    ${mayMessage(v, target)} as message, ${blockedEitherWay(v, target)} as blocked,
    ${areFriends(v, target)} as friends, ${arePartners(v, target)} as partners, ${accountActive(target)} as active`;
}

/** The predicates with the subjects bound as ids, and as columns of a query over both users rows. */
async function evaluate(viewerId: string, targetId: string): Promise<{ byId: Answers; byColumn: Answers }> {
  const [byId] = await queryRows<Answers>(
    t.ctx.database.db,
    sql`select ${predicates(sql`${viewerId}::uuid`, sql`${targetId}::uuid`)}`,
  );
  const [byColumn] = await queryRows<Answers>(
    t.ctx.database.db,
    sql`select ${predicates(sql`vu.id`, sql`tu.id`)} from users vu, users tu where vu.id = ${viewerId} and tu.id = ${targetId}`,
  );
  if (!byId || !byColumn) throw new Error('the predicates answered no row');
  return { byId, byColumn };
}

beforeAll(async () => {
  t = await createTestApp();
  viewer = await makeUser(t.ctx);
});
afterAll(async () => t.close());

describe.each(RELATIONS)('privacy predicates in SQL equal the policy: the target is $name', (relation) => {
  let target: TestUser;
  beforeAll(async () => {
    target = await relation.target(viewer);
  });
  afterAll(async () => {
    // The viewer is the target of the self case: leave it as every other case expects it.
    await setTargetState(target, 'friends_only', 'friends_only', 'active');
  });

  const combos = VISIBILITIES.flatMap((visibility) =>
    AUDIENCES.flatMap((audience) => STATES.map((state) => ({ visibility, audience, state }))),
  );

  it.each(combos)('profile_visibility $visibility, who_can_send_messages $audience, account $state', async ({ visibility, audience, state }) => {
    await setTargetState(target, visibility, audience, state);
    const { rel } = relation;
    const active = state === 'active';
    const expected: Answers = {
      visible: active && canSeeUser(rel),
      full_profile: canSeeFullProfile(rel, visibility),
      message: canMessage(rel, audience),
      blocked: rel.blockedEitherWay,
      friends: rel.areFriends,
      partners: rel.arePartners,
      active,
    };
    const { byId, byColumn } = await evaluate(viewer.id, target.id);
    expect(byId).toEqual(expected);
    expect(byColumn).toEqual(expected);
    expect(await t.ctx.services.privacy.accessTo(viewer.id, target.id)).toEqual({
      visible: expected.visible,
      fullProfile: expected.visible && expected.full_profile,
    });
  });
});
