/**
 * The notifications feature's closed vocabularies, each declared once: the array feeds the
 * TypeScript type, the TypeBox schema (`stringEnum`), the column's type and its CHECK (`checkIn`).
 * The notification types themselves are the keys of NOTIFICATION_TYPES (notifications.catalog.ts).
 */

/** push_tokens.device_type: which push service reaches the device (FCM for ios/android, Web Push). */
export const DEVICE_TYPES = ['ios', 'android', 'web'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** push_outbox.provider: `log` records and logs a push no sender is configured for. */
export const PUSH_OUTBOX_PROVIDERS = ['log', 'fcm', 'webpush'] as const;
export type PushOutboxProvider = (typeof PUSH_OUTBOX_PROVIDERS)[number];

export const PUSH_OUTBOX_STATUSES = ['pending', 'sent', 'failed'] as const;
export type PushOutboxStatus = (typeof PUSH_OUTBOX_STATUSES)[number];
