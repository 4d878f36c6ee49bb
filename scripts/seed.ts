/**
 * `npm run seed [-- --force]`: fills the configured database (embedded PGlite in DATA_DIR by
 * default, PostgreSQL when DATABASE_URL is set) with a small demo world for trying the app by hand:
 * 12 users who all sign in with the password DEMO_PASSWORD (printed at the end), friendships and
 * pending requests, a block, accountability partnerships, individual and group goals with
 * participants, contributions and milestones, text posts with likes and comments, and default
 * settings and notification preferences. The data itself is in scripts/seed-data.ts.
 *
 * Safety rules:
 * - Without --force it refuses (exit code 1, nothing written) when the database has ANY user.
 * - --force only lifts that rule, so the demo world can be added NEXT TO existing accounts. It never
 *   deletes or changes a row that was there before: if any demo username or email is already taken
 *   (e.g. the seed ran before), it still refuses and writes nothing. To start over, delete DATA_DIR
 *   (embedded) or point DATABASE_URL at a fresh database.
 * - It always refuses when NODE_ENV=production: the demo accounts share a published password.
 * - It never sends real mail: the verification mails of the demo accounts are written to
 *   DATA_DIR/mail even when SMTP_URL is set.
 * - If seeding fails halfway, the accounts it created are deleted again, so a retry starts clean.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inArray, sql } from 'drizzle-orm';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { readEnv } from '../src/config/env.js';
import { createContext, type AppContext } from '../src/context.js';
import { emailVerificationTokens } from '../src/features/auth/auth.tables.js';
import { friendships } from '../src/features/friends/friends.tables.js';
import {
  goalContributions,
  goalMilestones,
  goalParticipants,
  goals,
  type NewGoalContributionRow,
  type NewGoalMilestoneRow,
  type NewGoalParticipantRow,
  type NewGoalRow,
} from '../src/features/goals/goals.tables.js';
import { notificationPreferences } from '../src/features/notifications/notifications.tables.js';
import { accountabilityPartners } from '../src/features/partners/partners.tables.js';
import {
  postComments,
  postLikes,
  posts,
  type NewPostCommentRow,
  type NewPostLikeRow,
  type NewPostRow,
} from '../src/features/posts/posts.tables.js';
import { blockedUsers, userSettings } from '../src/features/settings/settings.tables.js';
import { users } from '../src/features/users/users.tables.js';
import { inTransaction, type Db } from '../src/infra/db/database.js';
import { queryRows } from '../src/infra/db/rows.js';
import { createLogger } from '../src/infra/logger.js';
import { FileMailer } from '../src/infra/mail/file-mailer.js';
import {
  DEMO_BLOCKS,
  DEMO_FRIENDSHIPS,
  DEMO_GOALS,
  DEMO_PARTNERSHIPS,
  DEMO_PASSWORD,
  DEMO_PENDING_REQUESTS,
  DEMO_POSTS,
  DEMO_USERS,
  demoEmail,
  type DemoGoal,
} from './seed-data.js';

export { DEMO_PASSWORD, DEMO_USERS, demoEmail } from './seed-data.js';

export interface SeedOptions {
  /** Allow seeding a database that already has (non-demo) users. Never deletes anything. */
  force?: boolean;
}

export interface SeedCounts {
  users: number;
  verifiedUsers: number;
  friendships: number;
  pendingRequests: number;
  blocks: number;
  partnerships: number;
  goals: number;
  completedGoals: number;
  goalParticipants: number;
  contributions: number;
  milestones: number;
  posts: number;
  likes: number;
  comments: number;
}

export type SeedResult =
  | { status: 'seeded'; counts: SeedCounts; usernames: string[] }
  | { status: 'refused'; reason: string };

const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;

/** "1950.00" → 195000: money arithmetic on integer cents, never on floats. */
function toCents(amount: string): number {
  const match = /^(\d+)\.(\d{2})$/.exec(amount);
  if (!match) throw new Error(`seed data: "${amount}" is not an amount with two decimals`);
  return Number(match[1]) * 100 + Number(match[2]);
}

function fromCents(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** Progress in percent, rounded to two decimals (exact for the demo figures). */
function percent(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((part * 10_000) / whole) / 100;
}

const pairKey = (a: string, b: string) => [a, b].sort().join('|');

/** Fails fast when someone edits seed-data.ts into an inconsistent world (e.g. likes across a block). */
export function validateDemoWorld(): void {
  const known = new Set(DEMO_USERS.map((u) => u.username));
  const friends = new Set(DEMO_FRIENDSHIPS.map(([a, b]) => pairKey(a, b)));
  const blocked = new Set(DEMO_BLOCKS.map(([a, b]) => pairKey(a, b)));
  const goalsByKey = new Map(DEMO_GOALS.map((g) => [g.key, g]));
  const problems: string[] = [];
  const person = (name: string, where: string) => {
    if (!known.has(name)) problems.push(`${where}: unknown user ${name}`);
  };
  const pairs = [...DEMO_FRIENDSHIPS, ...DEMO_PENDING_REQUESTS].map(([a, b]) => pairKey(a, b));
  if (new Set(pairs).size !== pairs.length) problems.push('a pair of users has two friendship rows');
  for (const [a, b] of [...DEMO_FRIENDSHIPS, ...DEMO_PENDING_REQUESTS, ...DEMO_BLOCKS]) {
    person(a, 'relationship');
    person(b, 'relationship');
    if (a === b) problems.push(`${a} is related to themself`);
  }
  for (const [a, b] of DEMO_BLOCKS) {
    if (pairs.includes(pairKey(a, b))) problems.push(`${a} blocks ${b} but they have a friendship row`);
  }
  for (const [a, b] of DEMO_PARTNERSHIPS) {
    if (!friends.has(pairKey(a, b))) problems.push(`partners ${a} and ${b} are not friends`);
  }
  for (const goal of DEMO_GOALS) {
    person(goal.creator, goal.key);
    const members = new Set([goal.creator, ...(goal.members ?? [])]);
    if (goal.goalType === 'individual' && members.size > 1) problems.push(`${goal.key}: individual goal with members`);
    for (const c of goal.contributions ?? []) {
      if (!members.has(c.by)) problems.push(`${goal.key}: ${c.by} contributes without taking part`);
      toCents(c.amount);
    }
    if (goal.targetType === 'amount' && !goal.targetAmount) problems.push(`${goal.key}: amount goal without a target`);
    if (goal.completedDaysAgo !== undefined && progressOf(goal) !== 100) {
      problems.push(`${goal.key}: completed but not at 100 %`);
    }
  }
  for (const post of DEMO_POSTS) {
    person(post.author, 'post');
    if (post.goal && !goalsByKey.has(post.goal)) problems.push(`post of ${post.author}: unknown goal ${post.goal}`);
    const actors = [
      ...post.likedBy,
      ...post.comments.flatMap((c) => [c.by, ...(c.replies ?? []).map((r) => r.by)]),
    ];
    if (new Set(post.likedBy).size !== post.likedBy.length) problems.push(`post of ${post.author}: liked twice`);
    for (const actor of actors) {
      person(actor, 'post');
      if (actor === post.author) continue;
      if (blocked.has(pairKey(actor, post.author))) problems.push(`${actor} interacts with ${post.author} across a block`);
      if (post.visibility === 'friends' && !friends.has(pairKey(actor, post.author))) {
        problems.push(`${actor} cannot see the friends-only post of ${post.author}`);
      }
    }
  }
  if (problems.length > 0) throw new Error(`seed data is inconsistent:\n  - ${problems.join('\n  - ')}`);
}

function currentCents(goal: DemoGoal): number {
  return (goal.contributions ?? []).reduce((sum, c) => sum + toCents(c.amount), 0);
}

function progressOf(goal: DemoGoal): number {
  if (goal.targetType === 'amount') return percent(currentCents(goal), toCents(goal.targetAmount ?? '0'));
  const milestones = goal.milestones ?? [];
  return percent(milestones.filter((m) => m.achieved).length, milestones.length);
}

/** `YYYY-MM-DD` of `now` shifted by whole days (UTC). */
function dateInDays(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** Why the database may not be seeded, or undefined when it may. Reads only. */
async function refusalReason(ctx: AppContext, force: boolean): Promise<string | undefined> {
  if (ctx.config.env === 'production') {
    return 'NODE_ENV=production: the demo accounts share a published password, so the seed never runs in production.';
  }
  const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(ctx.database.db, sql`select count(*)::int as n from ${users}`);
  if (Number(n) > 0 && !force) {
    return (
      `the database already has ${n} user(s); the seed only fills an empty database. ` +
      'Run it with --force to add the demo world next to them (nothing existing is changed or deleted).'
    );
  }
  const usernames = DEMO_USERS.map((u) => u.username);
  const emails = usernames.map(demoEmail);
  const taken = await ctx.database.db
    .select({ username: users.username })
    .from(users)
    .where(sql`lower(${users.username}) in ${usernames} or lower(${users.email}) in ${emails}`);
  if (taken.length > 0) {
    return (
      `demo accounts already exist (${taken.map((t) => t.username).sort().join(', ')}). --force never deletes or ` +
      'changes existing data; to start over, delete DATA_DIR (embedded database) or use a fresh database.'
    );
  }
  return undefined;
}

/**
 * Creates the demo world (see the header comment), or returns a refusal having written nothing.
 * Expects a migrated database.
 */
export async function seedDemoWorld(ctx: AppContext, options: SeedOptions = {}): Promise<SeedResult> {
  validateDemoWorld();
  const reason = await refusalReason(ctx, options.force ?? false);
  if (reason) return { status: 'refused', reason };

  const now = ctx.clock.now();
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * HOUR_MS);
  const ids = new Map<string, string>();
  const idOf = (username: string): string => {
    const id = ids.get(username);
    if (!id) throw new Error(`seed: no account for ${username}`);
    return id;
  };

  try {
    // Accounts go through the real sign-up: argon2id hash, password history, user.registered event.
    for (const demo of DEMO_USERS) {
      const session = await ctx.services.sessions.register(
        {
          email: demoEmail(demo.username),
          username: demo.username,
          fullName: demo.fullName,
          password: DEMO_PASSWORD,
          confirmPassword: DEMO_PASSWORD,
        },
        { ip: null, userAgent: 'tribe-seed' },
      );
      ids.set(demo.username, session.user.id);
      await ctx.services.users.updateProfile(session.user.id, { bio: demo.bio, timezone: demo.timezone });
      // Not recovery.verifyEmail(token): on PGlite it deadlocks (it calls the users service outside
      // its own transaction); the verification token is marked used in insertWorld instead.
      if (demo.emailVerified) await ctx.services.users.markEmailVerified(session.user.id, session.user.email);
    }
    // Subscribers of user.registered (e.g. a future settings feature) finish before our inserts.
    await ctx.bus.drain();

    // The friends, partners, goals, posts, settings and notifications features have no services
    // yet, so their rows are inserted directly with Drizzle, using each feature's table objects.
    // When those services exist, this should call them instead.
    await inTransaction(ctx.database, (tx) => insertWorld(tx, { idOf, daysAgo, hoursAgo, now }));
    // Posts and friendships were inserted directly, so no post.created event filled the friends inboxes.
    await ctx.services.friendsInbox.rebuild();
  } catch (err) {
    // Leave no half-made demo world: remove the accounts this run created (rows hanging off them cascade).
    const created = [...ids.values()];
    if (created.length > 0) {
      await ctx.database.db
        .delete(users)
        .where(inArray(users.id, created))
        .catch(() => undefined);
    }
    throw err;
  }

  return { status: 'seeded', counts: expectedCounts(), usernames: DEMO_USERS.map((u) => u.username) };
}

interface WorldClock {
  idOf: (username: string) => string;
  daysAgo: (days: number) => Date;
  hoursAgo: (hours: number) => Date;
  now: Date;
}

async function insertWorld(db: Db, { idOf, daysAgo, hoursAgo, now }: WorldClock): Promise<void> {
  const userIds = DEMO_USERS.map((u) => idOf(u.username));
  const verifiedIds = DEMO_USERS.filter((u) => u.emailVerified).map((u) => idOf(u.username));
  if (verifiedIds.length > 0) {
    // As if each verified user had followed the link in their verification mail.
    await db
      .update(emailVerificationTokens)
      .set({ verified: true })
      .where(inArray(emailVerificationTokens.userId, verifiedIds));
  }

  await db.insert(friendships).values([
    ...DEMO_FRIENDSHIPS.map(([from, to, acceptedDays]) => ({
      userId: idOf(from),
      friendId: idOf(to),
      status: 'accepted' as const,
      requestedAt: daysAgo(acceptedDays + 1),
      acceptedAt: daysAgo(acceptedDays),
    })),
    ...DEMO_PENDING_REQUESTS.map(([from, to, requestedDays]) => ({
      userId: idOf(from),
      friendId: idOf(to),
      status: 'pending' as const,
      requestedAt: daysAgo(requestedDays),
    })),
  ]);
  await db.insert(blockedUsers).values(
    DEMO_BLOCKS.map(([blocker, blocked]) => ({ blockerId: idOf(blocker), blockedId: idOf(blocked), blockedAt: daysAgo(5) })),
  );
  await db.insert(accountabilityPartners).values(
    DEMO_PARTNERSHIPS.map(([from, to, startedDays]) => ({
      userId: idOf(from),
      partnerId: idOf(to),
      status: 'active' as const,
      requestedBy: idOf(from),
      respondedAt: daysAgo(startedDays),
      checkInFrequency: 'weekly' as const,
      startedAt: daysAgo(startedDays),
    })),
  );

  const goalIds = new Map<string, string>();
  const goalRows: NewGoalRow[] = [];
  const participantRows: NewGoalParticipantRow[] = [];
  const contributionRows: NewGoalContributionRow[] = [];
  const milestoneRows: NewGoalMilestoneRow[] = [];
  for (const goal of DEMO_GOALS) {
    const id = randomUUID();
    goalIds.set(goal.key, id);
    const completed = goal.completedDaysAgo !== undefined;
    goalRows.push({
      id,
      creatorId: idOf(goal.creator),
      title: goal.title,
      description: goal.description,
      category: goal.category,
      goalType: goal.goalType,
      targetType: goal.targetType,
      targetAmount: goal.targetAmount ?? null,
      targetCurrency: goal.currency,
      targetDate: dateInDays(now, goal.targetDateInDays),
      currentAmount: fromCents(currentCents(goal)),
      progressPercentage: progressOf(goal),
      status: completed ? 'completed' : 'active',
      isPublic: goal.isPublic,
      completedAt: completed ? daysAgo(goal.completedDaysAgo ?? 0) : null,
      createdAt: daysAgo(goal.createdDaysAgo),
      updatedAt: daysAgo(Math.min(goal.createdDaysAgo, ...(goal.contributions ?? []).map((c) => c.daysAgo))),
    });
    for (const [index, member] of [goal.creator, ...(goal.members ?? [])].entries()) {
      const mine = (goal.contributions ?? []).filter((c) => c.by === member);
      participantRows.push({
        goalId: id,
        userId: idOf(member),
        role: index === 0 ? 'creator' : 'member',
        contributionAmount: fromCents(mine.reduce((sum, c) => sum + toCents(c.amount), 0)),
        joinedAt: daysAgo(goal.createdDaysAgo - (index === 0 ? 0 : 1)),
      });
    }
    for (const c of goal.contributions ?? []) {
      contributionRows.push({
        goalId: id,
        userId: idOf(c.by),
        amount: c.amount,
        note: c.note ?? null,
        contributionType: 'monetary',
        createdAt: daysAgo(c.daysAgo),
      });
    }
    for (const [index, m] of (goal.milestones ?? []).entries()) {
      milestoneRows.push({
        goalId: id,
        title: m.title,
        targetValue: m.targetValue ?? null,
        achieved: Boolean(m.achieved),
        achievedAt: m.achieved ? daysAgo(m.achieved.daysAgo) : null,
        achievedBy: m.achieved ? idOf(m.achieved.by) : null,
        orderIndex: index,
        createdAt: daysAgo(goal.createdDaysAgo),
      });
    }
  }
  await db.insert(goals).values(goalRows);
  await db.insert(goalParticipants).values(participantRows);
  if (contributionRows.length > 0) await db.insert(goalContributions).values(contributionRows);
  if (milestoneRows.length > 0) await db.insert(goalMilestones).values(milestoneRows);

  const postRows: NewPostRow[] = [];
  const likeRows: NewPostLikeRow[] = [];
  const commentRows: NewPostCommentRow[] = [];
  for (const post of DEMO_POSTS) {
    const postId = randomUUID();
    const comments = post.comments.flatMap((c) => [c, ...(c.replies ?? [])]);
    postRows.push({
      id: postId,
      userId: idOf(post.author),
      caption: post.caption,
      postType: 'text',
      goalId: post.goal ? (goalIds.get(post.goal) ?? null) : null,
      // No media until the media feature lands: text posts carry none.
      mediaUrl: null,
      visibility: post.visibility,
      likesCount: post.likedBy.length,
      commentsCount: comments.length,
      createdAt: hoursAgo(post.hoursAgo),
      updatedAt: hoursAgo(post.hoursAgo),
    });
    for (const [index, liker] of post.likedBy.entries()) {
      likeRows.push({ postId, userId: idOf(liker), createdAt: hoursAgo(post.hoursAgo - 1 - index * 0.25) });
    }
    for (const comment of post.comments) {
      const commentId = randomUUID();
      const replies = comment.replies ?? [];
      commentRows.push({
        id: commentId,
        postId,
        userId: idOf(comment.by),
        content: comment.content,
        repliesCount: replies.length,
        createdAt: hoursAgo(comment.hoursAgo),
        updatedAt: hoursAgo(comment.hoursAgo),
      });
      for (const reply of replies) {
        commentRows.push({
          postId,
          userId: idOf(reply.by),
          content: reply.content,
          parentCommentId: commentId,
          createdAt: hoursAgo(reply.hoursAgo),
          updatedAt: hoursAgo(reply.hoursAgo),
        });
      }
    }
  }
  await db.insert(posts).values(postRows);
  await db.insert(postLikes).values(likeRows);
  // Parents before replies (the reply's foreign key), which is the order they were pushed in.
  await db.insert(postComments).values(commentRows);

  // Default settings and notification preferences; a future feature may create them on sign-up.
  await db.insert(userSettings).values(userIds.map((userId) => ({ userId }))).onConflictDoNothing();
  await db.insert(notificationPreferences).values(userIds.map((userId) => ({ userId }))).onConflictDoNothing();

  // Profiles: visibility, a join date in the past, and the counters derived from the rows above.
  for (const demo of DEMO_USERS) {
    await db
      .update(users)
      .set({ profileVisibility: demo.profileVisibility, createdAt: daysAgo(demo.joinedDaysAgo) })
      .where(sql`${users.id} = ${idOf(demo.username)}`);
  }
  await db
    .update(users)
    .set({
      goalsAchieved: sql`(select count(*) from ${goalParticipants} gp join ${goals} g on g.id = gp.goal_id
        where gp.user_id = ${users.id} and gp.left_at is null and g.status = 'completed')::int`,
      photosShared: sql`(select count(*) from ${posts} p
        where p.user_id = ${users.id} and p.post_type in ('photo', 'video') and not p.is_archived)::int`,
    })
    .where(inArray(users.id, userIds));
}

function expectedCounts(): SeedCounts {
  return {
    users: DEMO_USERS.length,
    verifiedUsers: DEMO_USERS.filter((u) => u.emailVerified).length,
    friendships: DEMO_FRIENDSHIPS.length,
    pendingRequests: DEMO_PENDING_REQUESTS.length,
    blocks: DEMO_BLOCKS.length,
    partnerships: DEMO_PARTNERSHIPS.length,
    goals: DEMO_GOALS.length,
    completedGoals: DEMO_GOALS.filter((g) => g.completedDaysAgo !== undefined).length,
    goalParticipants: DEMO_GOALS.reduce((n, g) => n + 1 + (g.members?.length ?? 0), 0),
    contributions: DEMO_GOALS.reduce((n, g) => n + (g.contributions?.length ?? 0), 0),
    milestones: DEMO_GOALS.reduce((n, g) => n + (g.milestones?.length ?? 0), 0),
    posts: DEMO_POSTS.length,
    likes: DEMO_POSTS.reduce((n, p) => n + p.likedBy.length, 0),
    comments: DEMO_POSTS.reduce((n, p) => n + p.comments.reduce((m, c) => m + 1 + (c.replies?.length ?? 0), 0), 0),
  };
}

function describeDatabase(ctx: AppContext): string {
  if (ctx.database.kind === 'postgres' && ctx.config.databaseUrl) {
    const url = new URL(ctx.config.databaseUrl); // host and database only, never credentials
    return `PostgreSQL at ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
  }
  return `embedded PGlite in ${path.join(ctx.config.dataDir, 'db')}`;
}

function summary(ctx: AppContext, counts: SeedCounts, ms: number): string {
  const c = counts;
  const first = DEMO_USERS[0]!;
  return [
    `Seeded the demo world into ${describeDatabase(ctx)} in ${(ms / 1000).toFixed(1)} s:`,
    `  users          ${c.users} (${c.verifiedUsers} with a verified email)`,
    `  friendships    ${c.friendships} accepted, ${c.pendingRequests} pending requests, ${c.blocks} block`,
    `  partnerships   ${c.partnerships} active (weekly check-ins)`,
    `  goals          ${c.goals} (${c.goals - c.completedGoals} active, ${c.completedGoals} completed), ` +
      `${c.goalParticipants} participants, ${c.contributions} contributions, ${c.milestones} milestones`,
    `  posts          ${c.posts} text posts, ${c.likes} likes, ${c.comments} comments`,
    '',
    `Every demo account signs in with its email and the password ${DEMO_PASSWORD}`,
    ...DEMO_USERS.map(
      (u) => `  ${demoEmail(u.username).padEnd(28)} ${u.fullName.padEnd(16)}${u.emailVerified ? '' : ' (email not verified)'}`.trimEnd(),
    ),
    `  e.g. POST ${ctx.config.publicUrl}/api/v1/auth/login`,
    `       {"email": "${demoEmail(first.username)}", "password": "${DEMO_PASSWORD}"}`,
    `  or try it in the API reference at ${ctx.config.publicUrl}/docs`,
    '',
  ].join('\n');
}

const USAGE = `Usage: npm run seed [-- --force]

Fills the database (DATA_DIR, or DATABASE_URL) with a demo world. Refuses when the database already
has users; --force adds the demo world next to existing users, but never deletes or changes anything
and still refuses when any demo account already exists.
`;

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((arg) => !['--force', '--help', '-h'].includes(arg));
  if (unknown.length > 0 || argv.includes('--help') || argv.includes('-h')) {
    process[unknown.length > 0 ? 'stderr' : 'stdout'].write(USAGE);
    return unknown.length > 0 ? 2 : 0;
  }
  const env = readEnv();
  let config;
  try {
    // Quiet by default: the seed prints its own summary.
    config = loadConfig({ ...env, LOG_LEVEL: env.LOG_LEVEL || 'warn' });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`seed: ${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  // Demo addresses are @example.com: keep their mails on disk even when SMTP_URL is configured.
  const mailer = new FileMailer(path.join(config.dataDir, 'mail'), config.mailFrom, logger);
  const ctx = await createContext(config, { logger, mailer });
  try {
    await ctx.database.migrate();
    const started = Date.now();
    const result = await seedDemoWorld(ctx, { force: argv.includes('--force') });
    if (result.status === 'refused') {
      process.stderr.write(`seed: refusing to run: ${result.reason}\n`);
      return 1;
    }
    process.stdout.write(summary(ctx, result.counts, Date.now() - started));
    return 0;
  } finally {
    await ctx.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let settled = false;
  // A database call that never answers leaves nothing for Node to wait on, and it would exit 0
  // silently; report it as the failure it is.
  process.once('beforeExit', () => {
    if (settled) return;
    process.stderr.write('seed: failed: stalled (a database call never completed); nothing was reported as seeded\n');
    process.exit(1);
  });
  main(process.argv.slice(2)).then(
    (code) => {
      settled = true;
      process.exit(code);
    },
    (err: unknown) => {
      settled = true;
      const detail = err instanceof Error ? (readEnv().DEBUG ? (err.stack ?? err.message) : err.message) : String(err);
      process.stderr.write(`seed: failed: ${detail}\n`);
      process.exit(1);
    },
  );
}
