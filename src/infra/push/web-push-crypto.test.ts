import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptWebPush } from '../../../test/push-servers.js';
import { encryptWebPushPayload } from './web-push-crypto.js';
import { parseAllowedPushHosts } from './web-push-endpoint-policy.js';
import { parseWebPushSubscription, webPushToken } from './web-push-subscription.js';
import { vapidKeyProblem } from './web-push-sender.js';

// RFC 8291 Appendix A.
const RFC = {
  plaintext: 'When I grow up, I want to be a watermelon',
  asPrivate: 'yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw',
  uaPrivate: 'q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94',
  uaPublic: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
  salt: 'DGv6ra1nlYgDCS1FRnbzlw',
  auth: 'BTBZMqHH6r4Tts7J_aSIgg',
  body:
    'DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_' +
    'yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN',
};
const b64 = (s: string) => Buffer.from(s, 'base64url');

describe('Web Push payload encryption (aes128gcm, RFC 8291)', () => {
  it('reproduces the RFC 8291 Appendix A message byte for byte from its keys and salt', () => {
    const sender = createECDH('prime256v1');
    sender.setPrivateKey(b64(RFC.asPrivate));
    const body = encryptWebPushPayload(Buffer.from(RFC.plaintext), b64(RFC.uaPublic), b64(RFC.auth), { salt: b64(RFC.salt), senderKeys: sender });
    expect(body.toString('base64url')).toBe(RFC.body);
  });

  it('a fresh key and salt per message; the subscriber decrypts it; a wrong auth secret fails', () => {
    const ua = createECDH('prime256v1');
    ua.generateKeys();
    const auth = Buffer.alloc(16, 7);
    const a = encryptWebPushPayload(Buffer.from('{"title":"hi"}'), ua.getPublicKey(), auth);
    const b = encryptWebPushPayload(Buffer.from('{"title":"hi"}'), ua.getPublicKey(), auth);
    expect(a.equals(b)).toBe(false);
    expect(a.readUInt32BE(16)).toBe(4096);
    expect(decryptWebPush(a, ua.getPrivateKey(), auth).toString()).toBe('{"title":"hi"}');
    expect(() => decryptWebPush(a, ua.getPrivateKey(), Buffer.alloc(16, 8))).toThrow();
  });

  it('refuses a payload that does not fit one 4096-byte record', () => {
    const ua = createECDH('prime256v1');
    ua.generateKeys();
    expect(() => encryptWebPushPayload(Buffer.alloc(3994, 97), ua.getPublicKey(), Buffer.alloc(16))).toThrow(/too large/);
    expect(encryptWebPushPayload(Buffer.alloc(3993, 97), ua.getPublicKey(), Buffer.alloc(16)).length).toBe(4096);
  });
});

describe('Web Push subscription format', () => {
  const keys = { p256dh: RFC.uaPublic, auth: RFC.auth };
  const PUSH_EXAMPLE = parseAllowedPushHosts(['push.example'], true).hosts;

  it('accepts PushSubscription JSON and canonicalises it (extra members dropped, same string for the same subscription)', () => {
    const a = parseWebPushSubscription(JSON.stringify({ endpoint: 'https://push.example/s/1', expirationTime: null, keys }), PUSH_EXAMPLE);
    const b = parseWebPushSubscription(JSON.stringify({ keys: { auth: RFC.auth, p256dh: RFC.uaPublic }, endpoint: 'https://push.example/s/1' }), PUSH_EXAMPLE);
    if ('error' in a || 'error' in b) throw new Error('refused');
    expect(webPushToken(a)).toBe(webPushToken(b));
    expect(JSON.parse(webPushToken(a))).toEqual({ endpoint: 'https://push.example/s/1', keys });
  });

  it.each([
    ['not JSON', 'abc'],
    ['no endpoint', JSON.stringify({ keys })],
    ['http endpoint', JSON.stringify({ endpoint: 'http://push.example/s', keys })],
    ['credentials in the endpoint', JSON.stringify({ endpoint: 'https://u:p@push.example/s', keys })],
    ['short p256dh', JSON.stringify({ endpoint: 'https://push.example/s', keys: { ...keys, p256dh: 'BCVxsr7N' } })],
    ['p256dh not on the curve', JSON.stringify({ endpoint: 'https://push.example/s', keys: { ...keys, p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url') } })],
    ['auth of 8 bytes', JSON.stringify({ endpoint: 'https://push.example/s', keys: { ...keys, auth: 'AAAAAAAAAAA' } })],
  ])('refuses %s', (_name, text) => {
    expect('error' in parseWebPushSubscription(text, PUSH_EXAMPLE)).toBe(true);
  });

  it('http endpoints only when an allow-list entry names http (development, tests)', () => {
    const text = JSON.stringify({ endpoint: 'http://127.0.0.1:9/push/x', keys });
    expect('error' in parseWebPushSubscription(text, PUSH_EXAMPLE)).toBe(true);
    expect('error' in parseWebPushSubscription(text, parseAllowedPushHosts(['http://127.0.0.1:9'], false).hosts)).toBe(false);
  });

  it('VAPID keys must be a matching P-256 pair', () => {
    const a = createECDH('prime256v1');
    a.generateKeys();
    const b = createECDH('prime256v1');
    b.generateKeys();
    const pad = (d: Buffer) => Buffer.concat([Buffer.alloc(32 - d.length), d]).toString('base64url');
    expect(vapidKeyProblem(a.getPublicKey().toString('base64url'), pad(a.getPrivateKey()))).toBeUndefined();
    expect(vapidKeyProblem(a.getPublicKey().toString('base64url'), pad(b.getPrivateKey()))).toMatch(/does not match/);
    expect(vapidKeyProblem('abc', pad(a.getPrivateKey()))).toMatch(/65 bytes/);
  });
});
