import type { EventBus } from '../../infra/bus/event-bus.js';
import type { AchievementsService } from './achievements.service.js';
import { EVENT_METRICS } from './achievements.triggers.js';
import '../friends/friends.events.js';
import '../goals/goals.events.js';
import '../posts/posts.events.js';

/**
 * Re-evaluates the affected users' achievements when an event could have completed one (the
 * `achievements` subscriber's jobs). Idempotent by the award's natural key: one `user_achievements`
 * row per (user, achievement) (unique), inserted with `on conflict do nothing`, and
 * `achievement.earned` published only in the transaction whose insert happened, so a retried job
 * awards nothing twice and notifies nobody twice.
 */
export function registerAchievementSubscriptions(bus: EventBus, achievements: AchievementsService): void {
  const s = bus.subscriber('achievements');
  const m = EVENT_METRICS;
  s.on('goal.created', (e) => achievements.evaluateMany(e.goal.participantIds, m['goal.created']));
  s.on('goal.participant_added', (e) => achievements.evaluate(e.userId, m['goal.participant_added']));
  s.on('goal.contribution_added', (e) => achievements.evaluate(e.actor.id, m['goal.contribution_added']));
  s.on('goal.milestone_achieved', (e) => achievements.evaluate(e.actor.id, m['goal.milestone_achieved']));
  s.on('goal.completed', (e) => achievements.evaluateMany(e.goal.participantIds, m['goal.completed']));
  s.on('friend.request_accepted', (e) => achievements.evaluateMany([e.requesterId, e.accepterId], m['friend.request_accepted']));
  s.on('post.created', (e) => achievements.evaluate(e.author.id, m['post.created']));
}
