import type { EventBus } from '../../infra/bus/event-bus.js';
import type { GoalRemindersService } from './goal-reminders.service.js';
import '../goals/goals.events.js';

/**
 * Reacts to the goals core (the `goal-reminders` subscriber's jobs): a participant who leaves (or is
 * removed) loses their reminders there. Idempotent: a delete, which a retry repeats to no effect.
 */
export function registerGoalReminderSubscriptions(bus: EventBus, reminders: GoalRemindersService): void {
  bus.subscriber('goal-reminders').on('goal.participant_removed', (e) => reminders.forgetParticipant(e.goal.goalId, e.userId));
}
