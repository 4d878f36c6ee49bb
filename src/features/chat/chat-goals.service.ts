import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Clock } from '../../infra/clock/clock.js';
import { inTransaction, type Database } from '../../infra/db/database.js';
import { claimReceipt, type EventReceipt } from '../../infra/db/event-receipts.js';
import type { ActorCard, GoalSummary } from '../goals/goals.events.js';
import { ChatPublisher, postSystemMessage, type SystemMessage } from './chat.publisher.js';
import type { ConversationRow } from './chat.tables.js';
import type { AppMessageType } from './chat.vocabulary.js';
import { ConversationReadsRepo } from './conversations.reads.repo.js';
import { ConversationsRepo } from './conversations.repo.js';

export interface GoalChatUpdate {
  goal: GoalSummary;
  actor: ActorCard;
  messageType: AppMessageType;
  content: string;
  /** Added to the plan's `goal_id` and `goal_title`. */
  metadata: Record<string, unknown>;
  /** One message per key and chat, however often the event is delivered. */
  key: string;
  at: Date;
}

/**
 * The group chat of each group goal: created with the goal and its participants, following who
 * joins and leaves, and telling the group about contributions, milestones and completion.
 * Driven by goal events (chat.subscriptions.ts); every step is idempotent against redelivery.
 */
export class ChatGoalsService {
  private readonly repo: ConversationsRepo;
  private readonly queries: ConversationReadsRepo;
  private readonly publisher: ChatPublisher;

  constructor(
    private readonly database: Database,
    bus: EventBus,
    private readonly clock: Clock,
  ) {
    this.repo = new ConversationsRepo(database.db);
    this.queries = new ConversationReadsRepo(database.db);
    this.publisher = new ChatPublisher(bus);
  }

  /** The goal's chat, created (named after the goal, its creator as admin) when missing. Individual goals have none. */
  async ensureConversation(goal: GoalSummary): Promise<ConversationRow | undefined> {
    if (goal.goalType !== 'group') return undefined;
    const existing = await this.repo.findByGoal(goal.goalId);
    if (existing) return existing;
    const now = this.clock.now();
    const members = [...new Set([goal.creatorId, ...goal.participantIds])];
    const created = await inTransaction(this.database, async (tx) => {
      const repo = new ConversationsRepo(tx);
      const row = await repo.insertForGoal({
        conversationType: 'group',
        isGroup: true,
        name: goal.title.slice(0, 255),
        goalId: goal.goalId,
        createdBy: goal.creatorId,
        createdAt: now,
        updatedAt: now,
      });
      if (row) {
        await repo.join(row.id, members.map((userId) => ({ userId, role: userId === goal.creatorId ? ('admin' as const) : ('member' as const) })), now);
        await this.publisher.membersChanged(tx, row.id, members, [], now);
      }
      return row;
    });
    return created ?? this.repo.findByGoal(goal.goalId);
  }

  /**
   * A participant joined the goal: they join its chat, with a system message. `receipt` (the event's
   * handler) makes it once per event: a redelivered job, even one running after the user has left
   * again, neither re-adds them nor posts a second message.
   */
  async participantAdded(goal: GoalSummary, actor: ActorCard, userId: string, receipt?: EventReceipt): Promise<void> {
    const conversation = await this.ensureConversation(goal);
    if (!conversation) return;
    const [card] = await this.queries.userCards([userId]);
    const name = card?.fullName ?? 'Someone';
    const now = this.clock.now();
    await inTransaction(this.database, async (tx) => {
      const repo = new ConversationsRepo(tx);
      await repo.lock(conversation.id);
      if (!(await claimReceipt(tx, receipt))) return undefined;
      const added = await repo.join(conversation.id, [{ userId, role: 'member' }], now);
      if (added.length === 0) return;
      const message = await postSystemMessage(tx, {
        conversationId: conversation.id,
        messageType: 'system',
        content: actor.id === userId ? `${name} joined the goal` : `${actor.fullName} added ${name} to the goal`,
        metadata: { event: 'members_added', goal_id: goal.goalId, goal_title: goal.title, actor_id: actor.id, user_ids: [userId] },
        at: now,
      });
      if (message) await this.publisher.messageSent(tx, message);
      await this.publisher.membersChanged(tx, conversation.id, [userId], [], now);
    });
  }

  /** A participant left (or was removed from) the goal: they leave its chat, with a system message; once per `receipt`, as participantAdded. */
  async participantRemoved(goal: GoalSummary, actor: ActorCard, userId: string, receipt?: EventReceipt): Promise<void> {
    if (goal.goalType !== 'group') return;
    const conversation = await this.repo.findByGoal(goal.goalId);
    if (!conversation) return;
    const [card] = await this.queries.userCards([userId]);
    const name = card?.fullName ?? 'Someone';
    const now = this.clock.now();
    await inTransaction(this.database, async (tx) => {
      const repo = new ConversationsRepo(tx);
      await repo.lock(conversation.id);
      if (!(await claimReceipt(tx, receipt))) return undefined;
      if (!(await repo.leave(conversation.id, userId, now))) return;
      await repo.ensureAdmin(conversation.id);
      const message = await postSystemMessage(tx, {
        conversationId: conversation.id,
        messageType: 'system',
        content: actor.id === userId ? `${name} left the goal` : `${actor.fullName} removed ${name} from the goal`,
        metadata: { event: 'member_removed', goal_id: goal.goalId, goal_title: goal.title, actor_id: actor.id, user_ids: [userId] },
        at: now,
      });
      if (message) await this.publisher.messageSent(tx, message);
      await this.publisher.membersChanged(tx, conversation.id, [], [userId], now);
    });
  }

  /** Posts a goal update (contribution, milestone, completion) into the goal's chat, once per key. */
  async postUpdate(update: GoalChatUpdate): Promise<void> {
    const conversation = await this.ensureConversation(update.goal);
    if (!conversation) return;
    const message: SystemMessage = {
      conversationId: conversation.id,
      messageType: update.messageType,
      content: update.content,
      metadata: { goal_id: update.goal.goalId, goal_title: update.goal.title, ...update.metadata, actor_id: update.actor.id },
      key: update.key,
      at: update.at,
    };
    await inTransaction(this.database, async (tx) => {
      await new ConversationsRepo(tx).lock(conversation.id);
      const row = await postSystemMessage(tx, message);
      if (row) await this.publisher.messageSent(tx, row);
    });
  }
}
