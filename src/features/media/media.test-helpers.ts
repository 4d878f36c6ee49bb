/** Helpers for tests of media URLs as clients see them (not a test file itself). */
import { expect } from 'vitest';
import type { TestApp } from '../../../test/harness.js';

/** GETs a media URL from a response through the test app (path and query; the host is the API's). */
export function fetchUrl(t: TestApp, url: string) {
  const parsed = new URL(url);
  return t.app.inject({ method: 'GET', url: `${parsed.pathname}${parsed.search}` });
}

/** The URL without its query (what someone without a signature has). */
export const unsigned = (url: string): string => url.split('?')[0]!;

/** The URL with one query parameter replaced. */
export function withParam(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(name, value);
  return parsed.toString();
}

/** Asserts a signed private media URL of the disk route, and returns its expiry (unix seconds). */
export function expectSigned(url: unknown): number {
  expect(url).toEqual(expect.stringMatching(/\/media\/private\/[A-Za-z0-9._/-]+\?exp=\d+&sig=[A-Za-z0-9_-]{43}$/));
  return Number(new URL(String(url)).searchParams.get('exp'));
}

/** Asserts a long-lived public media URL (no query, not under private/). */
export function expectPublic(url: unknown): void {
  expect(url).toEqual(expect.stringMatching(/\/media\/(?!private\/)[A-Za-z0-9._/-]+$/));
}
