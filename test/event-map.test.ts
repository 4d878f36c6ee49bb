import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildEventMap, formatMarkdown, mapEvents, SUBSCRIPTIONS_FILE, type EventMap } from '../scripts/event-map.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = (map: EventMap, name: string) => map.events.find((e) => e.name === name);

describe('the domain-event map (npm run events)', () => {
  const map = buildEventMap(root);

  it('finds a known publisher and its subscribers: friend.request_accepted from the friend requests to the notifications and the friends inbox', () => {
    const accepted = entry(map, 'friend.request_accepted');
    expect(accepted?.declaredIn).toBe('src/features/friends/friends.events.ts');
    expect(accepted?.publishers.map((p) => `${p.file} ${p.where}`)).toContain('src/features/friends/friends.requests.service.ts FriendRequests.acceptIfPending');
    expect(accepted?.subscribers.map((s) => s.file)).toEqual(
      expect.arrayContaining(['src/features/notifications/notifications.subscriptions.ts', 'src/features/memories-feed/friends-inbox.subscriptions.ts']),
    );
  });

  it('every domain-event subscription in src/ is in a *.subscriptions.ts file, and every bus call names a declared event literally', () => {
    expect(map.problems).toEqual([]);
    const misplaced = map.events.flatMap((e) => e.subscribers.filter((s) => !SUBSCRIPTIONS_FILE.test(s.file)).map((s) => `${e.name} in ${s.file}`));
    expect(misplaced).toEqual([]);
    expect(map.events.length).toBeGreaterThan(40);
    expect(map.events.filter((e) => e.publishers.length === 0).map((e) => e.name)).toEqual([]);
  });

  it("docs/ARCHITECTURE.md's event table is the one the source gives (npm run events -- --markdown)", () => {
    const doc = readFileSync(path.join(root, 'docs/ARCHITECTURE.md'), 'utf8');
    const section = /<!-- events:begin -->\n([\s\S]*?)\n<!-- events:end -->/.exec(doc)?.[1];
    expect(section, 'the events:begin/end markers in docs/ARCHITECTURE.md').toBeDefined();
    expect(section?.trim()).toBe(formatMarkdown(map).trim());
  });

  it('reports a subscription outside a *.subscriptions.ts file, an event name that is not a literal and an unknown event', () => {
    const events = {
      file: 'src/features/x/x.events.ts',
      text: `declare module '../../infra/bus/domain-events.js' {\n  interface DomainEvents {\n    /** Said. Then more. */\n    'x.said': { a: string };\n  }\n}`,
    };
    const service = {
      file: 'src/features/x/x.service.ts',
      text: `export class XService { say(name: 'x.said') { this.bus.publish(tx, 'x.said', {}); this.bus.publish(tx, name, {}); this.bus.publish(tx, 'x.sung', {}); }
        private listen() { this.bus.onCommit('x.said', () => undefined); this.pubsub.subscribe(CHANNEL, () => undefined); this.socket.on('x.said', () => undefined); } }`,
    };
    const subscriptions = {
      file: 'src/features/y/y.subscriptions.ts',
      text: `export function registerY(bus) { const y = bus.subscriber('y'); y.on('x.said', () => undefined); redis.on('error', () => undefined); }`,
    };
    const small = mapEvents([events, service, subscriptions]);
    expect(small.events).toEqual([
      {
        name: 'x.said',
        declaredIn: events.file,
        doc: 'Said.',
        publishers: [{ file: service.file, line: 1, where: 'XService.say' }],
        subscribers: [
          { file: service.file, line: 2, where: 'XService.listen' },
          { file: subscriptions.file, line: 1, where: 'registerY' },
        ],
      },
    ]);
    expect(small.problems).toEqual([
      'src/features/x/x.service.ts:1: this.bus.publish with an event name that is not a literal',
      "src/features/x/x.service.ts:1: this.bus.publish('x.sung') names no declared event",
      'src/features/x/x.service.ts:2: subscribes to x.said outside a *.subscriptions.ts file',
    ]);
  });
});
