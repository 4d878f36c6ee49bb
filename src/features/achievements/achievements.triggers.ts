import type { DomainEventName } from '../../infra/bus/domain-events.js';
import type { Metric } from './achievements.criteria.js';
import '../friends/friends.events.js';
import '../goals/goals.events.js';
import '../posts/posts.events.js';

/**
 * Which metrics each domain event can move, so a subscriber re-evaluates only the achievements that
 * event could complete. A metric no event moves is evaluated on demand, when the user's achievements
 * are read (AchievementsService.catchUp); `posts` is moved by `post.created` (first_memory) and is
 * also still caught up on read.
 */
export const EVENT_METRICS = {
  'goal.created': ['goals_joined', 'goals_created'],
  'goal.participant_added': ['goals_joined'],
  'goal.contribution_added': ['contributions', 'amount_contributed'],
  'goal.milestone_achieved': ['milestones_achieved'],
  'goal.completed': ['goals_achieved', 'group_goals_completed'],
  'friend.request_accepted': ['friends'],
  'post.created': ['posts'],
} as const satisfies Partial<Record<DomainEventName, readonly Metric[]>>;
