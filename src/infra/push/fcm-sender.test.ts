import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/config.js';
import { startFcmServer, vapidKeys, type FcmServer } from '../../../test/push-servers.js';
import { FcmSender, parseServiceAccount } from './fcm-sender.js';
import type { PushMessage } from './push-sender.js';

let fcm: FcmServer;
beforeAll(async () => {
  fcm = await startFcmServer();
});
afterAll(async () => fcm?.stop());

const message: PushMessage = { title: 'Hi', body: 'There', data: { a: '1' }, ttlSeconds: 60, urgency: 'normal', collapseKey: 'post_like:1' };
const sender = (credentialsJson = fcm.credentialsJson) =>
  new FcmSender({ account: parseServiceAccount(credentialsJson, 'test'), apiBaseUrl: fcm.url, oauthTokenUrl: fcm.tokenUrl });

describe('FcmSender', () => {
  it('concurrent sends share one OAuth exchange; normal urgency and the collapse key map to FCM and APNs fields', async () => {
    const s = sender();
    const before = fcm.tokenRequests.length;
    const outcomes = await Promise.all(['a', 'b', 'c'].map((x) => s.send(`tok-${x}`, message)));
    expect(outcomes).toEqual([{ kind: 'sent' }, { kind: 'sent' }, { kind: 'sent' }]);
    expect(fcm.tokenRequests.length - before).toBe(1);
    const sent = fcm.sends.find((x) => x.message.token === 'tok-a');
    expect(sent?.message.android).toEqual({ ttl: '60s', priority: 'NORMAL', collapse_key: 'post_like:1', notification: { tag: 'post_like:1' } });
    expect(sent?.message.apns.headers).toMatchObject({ 'apns-priority': '5', 'apns-collapse-id': 'post_like:1' });
  });

  it('a 401 drops the cached access token (retry); 429 and 503 are retried with Retry-After; other 4xx fail', async () => {
    const s = sender();
    fcm.script('tok-401', { status: 401, body: { error: { status: 'UNAUTHENTICATED' } } });
    fcm.script('tok-429', { status: 429, body: { error: { status: 'RESOURCE_EXHAUSTED', details: [{ errorCode: 'QUOTA_EXCEEDED' }] } }, headers: { 'retry-after': '7' } });
    fcm.script('tok-403', { status: 403, body: { error: { status: 'PERMISSION_DENIED', details: [{ errorCode: 'THIRD_PARTY_AUTH_ERROR' }] } } });
    fcm.script('tok-mismatch', { status: 403, body: { error: { status: 'PERMISSION_DENIED', details: [{ errorCode: 'SENDER_ID_MISMATCH' }] } } });
    await s.send('warm-up', message);
    const grants = fcm.tokenRequests.length;
    expect(await s.send('tok-401', message)).toEqual({ kind: 'retry', reason: 'fcm 401 UNAUTHENTICATED' });
    expect(await s.send('tok-401', message)).toEqual({ kind: 'sent' });
    expect(fcm.tokenRequests.length).toBe(grants + 1);
    expect(await s.send('tok-429', message)).toEqual({ kind: 'retry', reason: 'fcm 429 RESOURCE_EXHAUSTED QUOTA_EXCEEDED', retryAfterMs: 7000 });
    expect(await s.send('tok-403', message)).toMatchObject({ kind: 'failed' });
    expect(await s.send('tok-mismatch', message)).toMatchObject({ kind: 'token_invalid' });
  });

  it('a key the token endpoint refuses fails the push (no retry loop); an unreachable endpoint is retried', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = JSON.stringify({ ...JSON.parse(fcm.credentialsJson), private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    expect(await sender(foreign).send('x', message)).toEqual({ kind: 'failed', reason: 'fcm oauth 400 invalid_grant' });
    const offline = new FcmSender({ account: parseServiceAccount(fcm.credentialsJson, 'test'), apiBaseUrl: 'http://127.0.0.1:9', oauthTokenUrl: 'http://127.0.0.1:9/token' });
    expect(await offline.send('x', message)).toMatchObject({ kind: 'retry' });
  });

  it('service-account errors name the field, never the content', () => {
    expect(() => parseServiceAccount('{"private_key":"-----BEGIN secret"}', 'FCM_CREDENTIALS_JSON')).toThrow('FCM_CREDENTIALS_JSON has no project_id');
    expect(() => parseServiceAccount('nope secret', 'FCM_CREDENTIALS_FILE')).toThrow(/^FCM_CREDENTIALS_FILE is not valid JSON$/);
    const bad = JSON.stringify({ ...JSON.parse(fcm.credentialsJson), private_key: '-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----' });
    expect(() => parseServiceAccount(bad, 'FCM_CREDENTIALS_JSON')).toThrow(/^FCM_CREDENTIALS_JSON has a private_key that is not a PEM private key$/);
  });
});

describe('push configuration', () => {
  const base = { NODE_ENV: 'test' };
  it('no push variables: both senders off', () => {
    expect(loadConfig(base).push).toMatchObject({ fcm: undefined, webPush: undefined });
  });
  it('FCM from inline JSON with the default API origin; VAPID when all three are set', () => {
    const keys = vapidKeys();
    const config = loadConfig({ ...base, FCM_CREDENTIALS_JSON: '{"project_id":"p"}', VAPID_PUBLIC_KEY: keys.publicKey, VAPID_PRIVATE_KEY: keys.privateKey, VAPID_SUBJECT: 'mailto:a@b.co' });
    expect(config.push.fcm).toMatchObject({ apiBaseUrl: 'https://fcm.googleapis.com', oauthTokenUrl: undefined });
    expect(config.push.webPush).toEqual({ ...keys, subject: 'mailto:a@b.co' });
  });
  it('lists every push problem at once', () => {
    expect(() =>
      loadConfig({ ...base, FCM_CREDENTIALS_FILE: '/x.json', FCM_CREDENTIALS_JSON: 'not json', VAPID_PUBLIC_KEY: 'abc', FCM_API_BASE_URL: 'ftp://x' }),
    ).toThrow(/FCM_CREDENTIALS_FILE or FCM_CREDENTIALS_JSON, not both[\s\S]*FCM_CREDENTIALS_JSON is not valid JSON[\s\S]*FCM_API_BASE_URL[\s\S]*VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY and VAPID_SUBJECT/);
    const keys = vapidKeys();
    expect(() => loadConfig({ ...base, VAPID_PUBLIC_KEY: keys.privateKey, VAPID_PRIVATE_KEY: keys.privateKey, VAPID_SUBJECT: 'ops@tribe' })).toThrow(
      /VAPID_PUBLIC_KEY must be[\s\S]*VAPID_SUBJECT must be/,
    );
  });
});
