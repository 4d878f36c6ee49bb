/**
 * The fault script's HTTP client: plain requests to a spawned API, each answer timed, and the
 * ledger of the writes the API acknowledged (2xx) — what the checks afterwards hold it to.
 */
import { randomBytes } from 'node:crypto';

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
  ms: number;
  /** The request never got an answer (refused, reset, timed out): its error code. */
  error?: string;
}

export const ok = (r: Reply<unknown>) => r.status >= 200 && r.status < 300;

/** One request; never throws (a transport error is status 0 with `error`). */
export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  timeoutMs = 15_000,
): Promise<Reply<T>> {
  const started = performance.now();
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, body: parsed as T, ms: performance.now() - started };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { status: 0, body: {} as T, ms: performance.now() - started, error: e.cause?.code ?? e.name };
  }
}

/** Like `call`, but a non-2xx answer is an error (setup steps). */
export async function must<T = Record<string, unknown>>(base: string, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const r = await call<T>(base, method, path, token, body);
  if (!ok(r)) throw new Error(`${method} ${path}: ${r.status} ${r.error ?? JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

export interface User {
  id: string;
  email: string;
  username: string;
  token: string;
  password: string;
}

/** Registers a user through the API (which owes a verification mail) and opens them to friend requests. */
export async function register(base: string, tag: string): Promise<User> {
  const suffix = randomBytes(4).toString('hex');
  const username = `${tag}_${suffix}`.slice(0, 30);
  const email = `${username}@faults.example.com`;
  const password = `Faults-${suffix}-Pass1!`;
  const body = await must<{ access_token: string; user: { id: string } }>(base, 'POST', '/api/v1/auth/register', undefined, {
    email,
    username,
    full_name: `Fault ${tag}`,
    password,
    confirm_password: password,
  });
  // Open to friend requests from anyone (the default asks for a friend in common).
  await must(base, 'PUT', '/api/v1/settings/privacy', body.access_token, { who_can_send_friend_requests: 'everyone' });
  return { id: body.user.id, email, username, token: body.access_token, password };
}

/** One acknowledged (or refused) write. */
export interface Entry {
  kind: string;
  /** What identifies it afterwards (an id, a client_message_id). */
  key: string;
  status: number;
  at: number;
}

/** The writes a scenario made and how the API answered each. */
export class Ledger {
  readonly entries: Entry[] = [];

  record(kind: string, key: string, status: number): void {
    this.entries.push({ kind, key, status, at: performance.now() });
  }

  acked(kind?: string): Entry[] {
    return this.entries.filter((e) => e.status >= 200 && e.status < 300 && (kind === undefined || e.kind === kind));
  }

  /** Acknowledged writes by kind, e.g. `{ post: 4, like: 6 }`. */
  summary(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.acked()) out[e.kind] = (out[e.kind] ?? 0) + 1;
    return out;
  }
}
