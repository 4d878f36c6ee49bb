/**
 * Cross-instance broadcast: every process subscribed to a channel receives every message published
 * on it (unlike the domain-event bus, which stays in the publishing process). Realtime uses it to
 * carry deliveries to WebSocket clients connected to other API instances.
 */
export type PubSubHandler = (message: string) => void;

export interface PubSub {
  publish(channel: string, message: string): Promise<void>;
  /** Starts receiving `channel`; resolves once the subscription is active. Returns an unsubscribe. */
  subscribe(channel: string, handler: PubSubHandler): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
