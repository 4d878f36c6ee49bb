import type { Logger } from 'pino';
import type { PubSub } from '../../infra/pubsub/pubsub.js';

/**
 * What one instance publishes to the others per batch: [event body, conversation filter, [[user,
 * seq], ...]][]; seq is null for an ephemeral event (it goes out without one).
 */
export type RemoteBatch = Array<[string, string | null, Array<[string, number | null]>]>;

/** Control messages between instances. */
export interface ControlMessage {
  unwatch?: { conversationId: string; userIds: string[] };
  /** Close the user's sockets; with `sessionIds`, only those opened in these sessions. */
  kick?: { userId: string; code: number; reason: string; sessionIds?: string[] };
}

/** What an instance does with the messages other instances publish. */
export interface InstanceMessageHandlers {
  /** Another instance started: the cached instance list is out of date. */
  hello(): void;
  /** A delivery batch for this instance's connections. */
  batch(batch: RemoteBatch): void;
  control(message: ControlMessage): void;
}

const DELIVER_CHANNEL = 'rt:deliver';
const HELLO = '"hello"';

/**
 * The pub/sub channel the realtime instances share. Every message starts with the origin's
 * instance id and a newline, outside the JSON, so an instance skips its own messages without
 * parsing them.
 */
export class InstanceChannel {
  constructor(
    private readonly pubsub: PubSub,
    private readonly instanceId: string,
    private readonly logger: Logger,
    private readonly handlers: InstanceMessageHandlers,
  ) {}

  /** Starts receiving other instances' messages; resolves to the function that stops it. */
  subscribe(): Promise<() => Promise<void>> {
    return this.pubsub.subscribe(DELIVER_CHANNEL, (message) => this.receive(message));
  }

  /** Tells the other instances this one exists (they skip publishing while they believe they are alone). */
  announce(): Promise<void> {
    return this.publish(HELLO);
  }

  publishBatch(batch: RemoteBatch): Promise<void> {
    return this.publish(JSON.stringify(batch));
  }

  publishControl(message: ControlMessage): Promise<void> {
    return this.publish(JSON.stringify(message));
  }

  private publish(payload: string): Promise<void> {
    return this.pubsub.publish(DELIVER_CHANNEL, `${this.instanceId}\n${payload}`);
  }

  private receive(message: string): void {
    const newline = message.indexOf('\n');
    const origin = message.slice(0, newline);
    if (newline < 0 || origin === this.instanceId) return;
    if (message.length === newline + 1 + HELLO.length && message.endsWith(HELLO)) {
      this.handlers.hello();
      return;
    }
    try {
      const payload = JSON.parse(message.slice(newline + 1)) as RemoteBatch | ControlMessage;
      if (Array.isArray(payload)) this.handlers.batch(payload);
      else this.handlers.control(payload);
    } catch (err) {
      this.logger.warn({ err }, 'malformed realtime batch from another instance');
    }
  }
}
