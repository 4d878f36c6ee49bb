import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { TestUser } from '../../../test/factories.js';
import type { TestApp } from '../../../test/harness.js';
import { fixture, multipart, png } from '../../../test/media-samples.js';

export const HOUR = 60 * 60 * 1000;

type Part = { name: string; value: string } | { name: string; filename: string; contentType: string; data: Buffer };

/** POSTs a multipart story with the given parts. */
export function postStoryParts(t: TestApp, who: TestUser | undefined, parts: Part[]) {
  const body = multipart(parts);
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/stories',
    headers: { ...body.headers, ...(who ? who.auth : {}) },
    payload: body.payload,
  });
}

export const imagePart = async (): Promise<Part> => ({ name: 'media', filename: 's.png', contentType: 'image/png', data: await png(64, 96) });
export const videoPart = (): Part => ({ name: 'media', filename: 's.mp4', contentType: 'video/mp4', data: fixture('tiny.mp4') });

/** Posts an image story and returns its 201 body. */
export async function postStory(t: TestApp, who: TestUser, fields: Record<string, string> = {}): Promise<{ id: string; [k: string]: unknown }> {
  const res = await postStoryParts(t, who, [await imagePart(), ...Object.entries(fields).map(([name, value]) => ({ name, value }))]);
  if (res.statusCode !== 201) throw new Error(`story not created: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** Names of the files stored for stories (all of them, or one story's): private media, under DATA_DIR/media-private/stories/. */
export function storyFiles(t: TestApp, storyId?: string): string[] {
  const dir = path.join(t.dataDir, 'media-private', 'stories', ...(storyId ? [storyId] : []));
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => e.name);
}

export function call(t: TestApp, method: 'GET' | 'POST' | 'DELETE', url: string, who?: TestUser) {
  return t.app.inject({ method, url, headers: who ? who.auth : {} });
}

/** Logs `who` in again, so their access token is valid at the (fake) clock's current time. */
export async function relogin(t: TestApp, ...who: TestUser[]): Promise<void> {
  for (const u of who) {
    const session = await t.ctx.services.sessions.login(u.email, u.password, { ip: '127.0.0.1', userAgent: 'vitest' });
    u.accessToken = session.accessToken;
    u.auth = { authorization: `Bearer ${session.accessToken}` };
  }
}
