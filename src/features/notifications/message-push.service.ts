import type { DomainEvents } from '../../infra/bus/domain-events.js';
import type { EventReceipt } from '../../infra/db/event-receipts.js';
import type { RealtimeDelivery } from '../realtime/realtime-delivery.js';
import { links } from './notifications.catalog.js';
import type { PushDeliveryService } from './push-delivery.service.js';
import type { EnqueueItem } from './push-outbox.repo.js';
import '../chat/chat.events.js';

/** A chat push waits at most an hour on the push service: older chat pushes are noise. */
const MESSAGE_PUSH_TTL_S = 3600;
const BODY_CHARS = 180;

const MEDIA_BODIES: Record<string, string> = {
  image: 'Sent a photo',
  video: 'Sent a video',
  audio: 'Sent a voice message',
  file: 'Sent a file',
};

function excerpt(text: string): string {
  const chars = [...text.trim()];
  return chars.length <= BODY_CHARS ? chars.join('') : `${chars.slice(0, BODY_CHARS - 1).join('')}…`;
}

interface MessageJsonView {
  sender?: { full_name?: unknown } | null;
  content?: unknown;
  message_type?: unknown;
}

/**
 * `message.sent` → a push (never an inbox row) to each participant other than the sender who has
 * not muted the conversation and is not watching it right now (an open WebSocket subscribed to
 * it shows the message already); blocks and the `messages` / `push_enabled` preferences apply in
 * the enqueue statement and again at send time.
 */
export class MessagePushService {
  constructor(
    private readonly push: PushDeliveryService,
    private readonly realtime: RealtimeDelivery,
  ) {}

  /** Queues the pushes of one message; with `receipt` (the event's handler) once per event (PushDeliveryService.enqueueOnce). */
  async onMessageSent(e: DomainEvents['message.sent'], receipt?: EventReceipt): Promise<number> {
    // System messages (no sender) are not pushed.
    if (!e.senderId) return 0;
    const muted = new Set(e.mutedParticipantIds);
    const candidates = [...new Set(e.participantIds)].filter((id) => id !== e.senderId && !muted.has(id));
    // If presence cannot be read, push: a duplicate alert beats a missed message.
    const watching = await this.realtime.watchingAmong(e.conversationId, candidates).catch(() => new Set<string>());
    const recipients = candidates.filter((id) => !watching.has(id));
    if (recipients.length === 0) return 0;

    const m = e.message as MessageJsonView;
    const title = typeof m.sender?.full_name === 'string' ? m.sender.full_name : 'New message';
    const type = typeof m.message_type === 'string' ? m.message_type : 'text';
    const body = typeof m.content === 'string' && m.content.trim() !== '' ? excerpt(m.content) : (MEDIA_BODIES[type] ?? 'Sent a message');
    const items: EnqueueItem[] = recipients.map((userId) => ({
      notificationId: null,
      userId,
      payload: {
        kind: 'message',
        preference: 'messages',
        title,
        body,
        data: {
          notification_type: 'message',
          conversation_id: e.conversationId,
          message_id: e.message.id,
          action_url: links.conversation(e.conversationId),
        },
        image_url: null,
        collapse_key: null,
        urgency: 'high',
        ttl_seconds: MESSAGE_PUSH_TTL_S,
      },
    }));
    return receipt ? this.push.enqueueOnce(items, 'messages', e.senderId, receipt) : this.push.enqueue(items, 'messages', e.senderId);
  }
}
