import type { LightMyRequestResponse } from 'fastify';
import type { TestUser } from './factories.js';
import type { TestApp } from './harness.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Shorthands for `app.inject`: signed in as `who` when given, with a JSON body when one is passed. */
export interface Http {
  get(url: string, who?: TestUser): Promise<LightMyRequestResponse>;
  post(url: string, payload: unknown, who?: TestUser): Promise<LightMyRequestResponse>;
  put(url: string, payload: unknown, who?: TestUser): Promise<LightMyRequestResponse>;
  del(url: string, who?: TestUser): Promise<LightMyRequestResponse>;
}

/** The test files' HTTP shorthands; `t` is read per call, so it can be bound before `beforeAll` builds the app. */
export function http(t: () => TestApp): Http {
  const call = (method: Method, url: string, who?: TestUser, payload?: unknown) =>
    t().app.inject({ method, url, headers: who ? who.auth : {}, ...(payload !== undefined ? { payload: payload as object } : {}) });
  return {
    get: (url, who) => call('GET', url, who),
    post: (url, payload, who) => call('POST', url, who, payload),
    put: (url, payload, who) => call('PUT', url, who, payload),
    del: (url, who) => call('DELETE', url, who),
  };
}
