import { describe, expect, it } from 'vitest';
import { AccessTokenSigner } from './auth.tokens.js';

const claims = { userId: '6f1c7f43-4a55-4d0f-9d5e-0a4b8e0b1c11', username: 'alvin', sessionId: '0c6d1c9e-2f57-4b0e-9a43-5e1f7d2b8a10', version: 3 };
const start = new Date('2026-03-01T12:00:00Z');
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

describe('AccessTokenSigner', () => {
  it('verifies its own tokens, the same claims on a repeated (remembered) verification', async () => {
    const signer = new AccessTokenSigner('s'.repeat(40), 900);
    const token = await signer.sign(claims, start);
    const first = await signer.verify(token, at(1));
    expect(first).toMatchObject({ type: 'access', user_id: claims.userId, sid: claims.sessionId, ver: 3, exp: start.getTime() / 1000 + 900 });
    expect(first).not.toHaveProperty('email');
    expect(await signer.verify(token, at(2))).toEqual(first);
  });

  it('a remembered token still expires: 401 token_expired from the second its exp is reached', async () => {
    const signer = new AccessTokenSigner('s'.repeat(40), 900);
    const token = await signer.sign(claims, start);
    await signer.verify(token, at(899));
    await expect(signer.verify(token, at(900))).rejects.toMatchObject({ code: 'token_expired' });
    await expect(signer.verify(token, at(5000))).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('an expired token that was never seen is token_expired too (the same rule without the memory)', async () => {
    const signer = new AccessTokenSigner('s'.repeat(40), 900);
    const token = await signer.sign(claims, start);
    await expect(signer.verify(token, at(900))).rejects.toMatchObject({ code: 'token_expired' });
    await expect(signer.verify(token, at(899))).resolves.toMatchObject({ user_id: claims.userId });
  });

  it('remembering a good token never lets a tampered copy or another key through', async () => {
    const signer = new AccessTokenSigner('s'.repeat(40), 900);
    const token = await signer.sign(claims, start);
    await signer.verify(token, at(1));
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ver: 4 })).toString('base64url');
    await expect(signer.verify(`${header}.${forged}.${signature}`, at(1))).rejects.toMatchObject({ code: 'invalid_token' });
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    await expect(signer.verify(`${header}.${payload}.${flipped}`, at(1))).rejects.toMatchObject({ code: 'invalid_token' });
    const other = new AccessTokenSigner('t'.repeat(40), 900);
    await expect(other.verify(token, at(1))).rejects.toMatchObject({ code: 'invalid_token' });
  });
});
