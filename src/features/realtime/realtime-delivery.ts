/**
 * What other features may ask of the realtime gateway (the composition root hands the realtime
 * service to them under this interface). Server events are the plan §5.2 JSON objects, `event`
 * first; the gateway adds the per-user `seq` to the events it logs (ephemeral ones carry none).
 */
export type ServerEvent = { event: string } & Record<string, unknown>;

export interface RealtimeDelivery {
  /**
   * Delivers `event` to every open connection of each user, on every instance, and records it in
   * each user's missed-events log (so a reconnecting client catches up). Resolves once it is logged
   * and published, not when clients have received it.
   */
  sendToUsers(userIds: readonly string[], event: ServerEvent, onceKey?: string): Promise<void>;
  /** Users among `userIds` with a connection (on any instance) subscribed to that conversation. */
  watchingAmong(conversationId: string, userIds: readonly string[]): Promise<Set<string>>;
  /** True while the user has at least one open connection on any instance. */
  isOnline(userId: string): Promise<boolean>;
}
