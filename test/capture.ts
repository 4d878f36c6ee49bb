import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { AppContext } from '../src/context.js';
import type { DomainEventName, DomainEvents } from '../src/infra/bus/domain-events.js';
import { createLogger } from '../src/infra/logger.js';

/** What tests capture to look at afterwards: published domain events and log lines. */

/** Every payload of `name` published from now on, in order (read it after `ctx.bus.drain()`). */
export function capture<N extends DomainEventName>(ctx: AppContext, name: N): Array<DomainEvents[N]> {
  const seen: Array<DomainEvents[N]> = [];
  ctx.bus.onCommit(name, (payload) => void seen.push(payload));
  return seen;
}

/** Every published event of the given names, named, in order (call before acting; `stop` to stop recording). */
export function recordEvents<N extends DomainEventName>(ctx: AppContext, ...names: N[]) {
  const seen: Array<{ name: N; payload: DomainEvents[N] }> = [];
  const offs = names.map((name) => ctx.bus.onCommit(name, (payload) => void seen.push({ name, payload })));
  return {
    /** What was recorded, once every handler started so far has finished. */
    async events() {
      await ctx.bus.drain();
      return seen;
    },
    stop: () => offs.forEach((off) => off()),
  };
}

/** A logger at `level` whose lines (one JSON line each, as written) collect in `lines`. */
export function captureLogs(level = 'trace'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, sink), lines };
}
