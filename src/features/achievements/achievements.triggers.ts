import type { DomainEventName } from '../../infra/bus/domain-events.js';
import type { Metric } from './achievements.criteria.js';
import '../friends/friends.events.js';
import '../goals/goals.events.js';

/**
 * Which metrics each domain event can move, so a subscriber re-evaluates only the achievements that
 * event could complete. A metric no event moves is evaluated on demand, when the user's achievements
 * are read (AchievementsService.catchUp): today that is `posts`, since the posts feature publishes no
 * `post.created` event yet — once it does, add `'post.created': ['posts']` here and a subscription.
 */
export const EVENT_METRICS = {
  'goal.created': ['goals_joined', 'goals_created'],
  'goal.participant_added': ['goals_joined'],
  'goal.contribution_added': ['contributions', 'amount_contributed'],
  'goal.milestone_achieved': ['milestones_achieved'],
  'goal.completed': ['goals_achieved', 'group_goals_completed'],
  'friend.request_accepted': ['friends'],
} as const satisfies Partial<Record<DomainEventName, readonly Metric[]>>;
