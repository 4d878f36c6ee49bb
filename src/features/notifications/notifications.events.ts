/**
 * Events the notifications feature publishes. `notification.created` fires after a notification
 * row is committed (also when a repeat collapsed into an existing row, with the same id and the
 * new text); realtime delivers it as the plan's `notification.new` WebSocket event (§5.2).
 */
export interface NotificationNewJson {
  id: string;
  title: string;
  message: string;
  notification_type: string;
  image_url: string | null;
  icon_type: string | null;
  icon_color: string | null;
  action_url: string | null;
  actor_count: number;
  created_at: string;
}

declare module '../../infra/bus/domain-events.js' {
  interface DomainEvents {
    'notification.created': { userId: string; notification: NotificationNewJson };
  }
}

export {};
