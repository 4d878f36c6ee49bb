import type { EventBus } from '../../infra/bus/event-bus.js';
import type { AchievementsService } from './achievements.service.js';
import { EVENT_METRICS } from './achievements.triggers.js';
import '../friends/friends.events.js';
import '../goals/goals.events.js';
import '../posts/posts.events.js';

/** Re-evaluates the affected users' achievements when an event could have completed one. */
export function registerAchievementSubscriptions(bus: EventBus, achievements: AchievementsService): void {
  const m = EVENT_METRICS;
  bus.subscribe('goal.created', (e) => achievements.evaluateMany(e.goal.participantIds, m['goal.created']));
  bus.subscribe('goal.participant_added', (e) => achievements.evaluate(e.userId, m['goal.participant_added']));
  bus.subscribe('goal.contribution_added', (e) => achievements.evaluate(e.actor.id, m['goal.contribution_added']));
  bus.subscribe('goal.milestone_achieved', (e) => achievements.evaluate(e.actor.id, m['goal.milestone_achieved']));
  bus.subscribe('goal.completed', (e) => achievements.evaluateMany(e.goal.participantIds, m['goal.completed']));
  bus.subscribe('friend.request_accepted', (e) =>
    achievements.evaluateMany([e.requesterId, e.accepterId], m['friend.request_accepted']),
  );
  bus.subscribe('post.created', (e) => achievements.evaluate(e.author.id, m['post.created']));
}
