import type { Redis } from 'ioredis';
import { frameOf, type EventLog, type LogEntry, type MissedEvents } from './realtime.ports.js';

// Per entry: KEYS = [meta hash, log list]. The hash holds seq (the user's newest seq), start (the
// seq before this sequence's first event: what `since` 0 means) and floor (every seq ≤ floor is
// gone). The list holds the frames, newest first, at most `cap`. A sequence (re)starts at the
// current wall-clock milliseconds, so it never reuses old numbers; a log that expired and starts
// again sets floor just below its first entry. Only durable events come here (ephemeral ones carry
// no seq), so a user's seqs are contiguous and each one can be caught up on while it is kept.
//
// Entries with a once key (KEYS after the 2 × n entry keys; ARGV's last n numbers say which, 0 for
// none) are logged only by the first call that uses the key (SET NX, kept `ttl`); a later one
// returns seq 0 for them.
const APPEND = `
local cap = tonumber(ARGV[1])
local ttl = ARGV[2]
local metaTtl = ARGV[3]
local now = tonumber(ARGV[4])
local nb = tonumber(ARGV[5])
local n = tonumber(ARGV[6])
local out = {}
local decided = {}
for i = 1, n do
  local oi = tonumber(ARGV[6 + nb + n + i])
  local go = true
  if oi > 0 then
    if decided[oi] == nil then
      decided[oi] = redis.call('SET', KEYS[2 * n + oi], '1', 'NX', 'PX', ttl) ~= false
    end
    go = decided[oi]
  end
  if not go then
    out[i] = 0
  else
  local h = KEYS[2 * i - 1]
  local l = KEYS[2 * i]
  local seq = redis.call('HINCRBY', h, 'seq', 1)
  if seq == 1 then
    seq = now + 1
    redis.call('HSET', h, 'seq', seq, 'start', now, 'floor', now)
    redis.call('PEXPIRE', h, metaTtl)
  end
  local body = ARGV[6 + tonumber(ARGV[6 + nb + i])]
  local frame
  if string.len(body) > 2 then
    frame = string.sub(body, 1, -2) .. ',"seq":' .. seq .. '}'
  else
    frame = '{"seq":' .. seq .. '}'
  end
  local len = redis.call('LPUSH', l, frame)
  if len == 1 then
    redis.call('HSET', h, 'floor', seq - 1)
  elseif len > cap then
    local dropped = redis.call('RPOP', l, len - cap)
    local s = string.match(dropped[#dropped], '"seq":(%d+)}$')
    if s then redis.call('HSET', h, 'floor', s) end
  end
  redis.call('PEXPIRE', l, ttl)
  -- The counter's TTL is refreshed now and then, not per event: if it lapses, the sequence
  -- restarts above every old number and clients holding an old seq are told to resync.
  if len == 1 or seq % 64 == 0 then redis.call('PEXPIRE', h, metaTtl) end
  out[i] = seq
  end
end
return out
`;

// KEYS = [meta hash, log list], ARGV = [since] → {resync 0|1, latest, frames (newest first)}.
// No sequence: up to date only for since 0 (nothing seen yet). since 0 reads as the sequence's
// start (a hash written before 'start' existed keeps 0, below its floor: resync). With the list
// expired, everything before the newest seq is gone.
const SINCE = `
local seq = redis.call('HGET', KEYS[1], 'seq')
local since = tonumber(ARGV[1])
if not seq then
  if since == 0 then return {0, 0, {}} end
  return {1, 0, {}}
end
seq = tonumber(seq)
if since == 0 then since = tonumber(redis.call('HGET', KEYS[1], 'start') or '0') end
local floor = tonumber(redis.call('HGET', KEYS[1], 'floor'))
if redis.call('EXISTS', KEYS[2]) == 0 then floor = seq end
if since < floor or since > seq then return {1, seq, {}} end
return {0, seq, redis.call('LRANGE', KEYS[2], 0, -1)}
`;

type Scripted = Redis & {
  rtAppend(...args: Array<string | number>): Promise<number[]>;
  rtSince(...args: Array<string | number>): Promise<[number, number, string[]]>;
};

const SEQ_AT_END = /"seq":(\d+)}$/;
const metaKey = (userId: string) => `rt:u:${userId}`;
const logKey = (userId: string) => `rt:log:${userId}`;
const onceKey = (key: string) => `rt:once:${key}`;

/**
 * The event log in Redis: one Lua call per batch of events assigns every seq and writes every
 * frame atomically (LPUSH, trimmed to `maxEvents`, list TTL `ttlMs` refreshed on write).
 */
export class RedisEventLog implements EventLog {
  private readonly redis: Scripted;

  constructor(
    redis: Redis,
    private readonly maxEvents: number,
    private readonly ttlMs: number,
    /** How long an idle user's sequence counter is kept. */
    private readonly metaTtlMs = 30 * 24 * 3600_000,
  ) {
    if (!('rtAppend' in redis)) {
      redis.defineCommand('rtAppend', { lua: APPEND });
      redis.defineCommand('rtSince', { numberOfKeys: 2, lua: SINCE });
    }
    this.redis = redis as Scripted;
  }

  async append(entries: readonly LogEntry[]): Promise<Array<{ seq: number; frame: string }>> {
    if (entries.length === 0) return [];
    const bodies: string[] = [];
    const bodyIndex = new Map<string, number>();
    const keys: string[] = [];
    const bodyOf: number[] = [];
    const onceKeys: string[] = [];
    const onceIndex = new Map<string, number>();
    const onceOf: number[] = [];
    for (const entry of entries) {
      let index = bodyIndex.get(entry.body);
      if (index === undefined) {
        bodies.push(entry.body);
        index = bodies.length;
        bodyIndex.set(entry.body, index);
      }
      keys.push(metaKey(entry.userId), logKey(entry.userId));
      bodyOf.push(index);
      let once = 0;
      if (entry.onceKey !== undefined) {
        once = onceIndex.get(entry.onceKey) ?? 0;
        if (once === 0) {
          onceKeys.push(onceKey(entry.onceKey));
          once = onceKeys.length;
          onceIndex.set(entry.onceKey, once);
        }
      }
      onceOf.push(once);
    }
    const seqs = await this.redis.rtAppend(
      keys.length + onceKeys.length,
      ...keys,
      ...onceKeys,
      this.maxEvents,
      this.ttlMs,
      this.metaTtlMs,
      Date.now(),
      bodies.length,
      entries.length,
      ...bodies,
      ...bodyOf,
      ...onceOf,
    );
    return entries.map((entry, i) => {
      const seq = Number(seqs[i]);
      return seq === 0 ? { seq, frame: '' } : { seq, frame: frameOf(entry.body, seq) };
    });
  }

  async since(userId: string, since: number): Promise<MissedEvents> {
    const [resync, latest, frames] = await this.redis.rtSince(metaKey(userId), logKey(userId), since);
    if (resync === 1) return { resyncRequired: true, latest: Number(latest), frames: [] };
    const missed: string[] = [];
    for (let i = frames.length - 1; i >= 0; i--) {
      const frame = frames[i]!;
      const seq = Number(SEQ_AT_END.exec(frame)?.[1] ?? 0);
      if (seq > since) missed.push(frame);
    }
    return { resyncRequired: false, latest: Number(latest), frames: missed };
  }

  async latest(userId: string): Promise<number> {
    return Number((await this.redis.hget(metaKey(userId), 'seq')) ?? 0);
  }

  async close(): Promise<void> {
    // The shared Redis connection is closed by the context.
  }
}
