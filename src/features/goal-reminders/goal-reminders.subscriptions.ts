import type { EventBus } from '../../infra/bus/event-bus.js';
import type { GoalRemindersService } from './goal-reminders.service.js';
import '../goals/goals.events.js';

/** Reacts to the goals core: a participant who leaves (or is removed) loses their reminders there. */
export function registerGoalReminderSubscriptions(bus: EventBus, reminders: GoalRemindersService): void {
  bus.subscribe('goal.participant_removed', (e) => reminders.forgetParticipant(e.goal.goalId, e.userId));
}
