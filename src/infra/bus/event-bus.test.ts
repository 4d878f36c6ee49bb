import { describe, expect, it } from 'vitest';
import { InProcessEventBus } from './event-bus.js';
import '../../features/users/users.events.js';

const payload = { userId: 'u1', email: 'a@b.co', username: 'a', fullName: 'A' };

describe('InProcessEventBus', () => {
  it('delivers a published event to every subscriber, after publish returns', async () => {
    const bus = new InProcessEventBus({ error: () => undefined });
    const seen: string[] = [];
    bus.subscribe('user.registered', (p) => void seen.push(`a:${p.userId}`));
    bus.subscribe('user.registered', async (p) => void seen.push(`b:${p.userId}`));
    bus.publish('user.registered', payload);
    expect(seen).toEqual([]);
    await bus.drain();
    expect(seen.sort()).toEqual(['a:u1', 'b:u1']);
  });

  it('a failing handler is logged and affects neither the publisher nor other handlers', async () => {
    const errors: unknown[] = [];
    const bus = new InProcessEventBus({ error: (obj) => void errors.push(obj) });
    let delivered = false;
    bus.subscribe('user.registered', () => {
      throw new Error('boom');
    });
    bus.subscribe('user.registered', () => {
      delivered = true;
    });
    expect(() => bus.publish('user.registered', payload)).not.toThrow();
    await bus.drain();
    expect(delivered).toBe(true);
    expect(errors).toHaveLength(1);
  });

  it('unsubscribing stops delivery; events nobody listens to are dropped', async () => {
    const bus = new InProcessEventBus({ error: () => undefined });
    let count = 0;
    const off = bus.subscribe('user.registered', () => void count++);
    off();
    bus.publish('user.registered', payload);
    bus.publish('user.deactivated', { userId: 'u1' });
    await bus.drain();
    expect(count).toBe(0);
  });
});
