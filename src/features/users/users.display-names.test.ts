import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { normalizeFullName } from './users.rules.js';

let t: TestApp;
let ipCounter = 0;
const nextIp = () => `10.14.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const register = (n: string, fullName: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    remoteAddress: nextIp(),
    payload: { email: `name.${n}@example.com`, username: `name_${n}`, full_name: fullName, password: 'Kx7!vLq2pRm', confirm_password: 'Kx7!vLq2pRm' },
  });

async function storedFullName(userId: string): Promise<string> {
  const result = (await t.ctx.database.db.execute(sql`select full_name from users where id = ${userId}`)) as unknown as {
    rows: Array<{ full_name: string }>;
  };
  return result.rows[0]!.full_name;
}

/** Every character the rule refuses: bidi embeddings/overrides, isolates, marks, zero-width characters. */
const REFUSED = [
  ...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e],
  ...[0x2066, 0x2067, 0x2068, 0x2069],
  ...[0x200e, 0x200f, 0x061c],
  ...[0x200b, 0x200c, 0x200d, 0x2060, 0xfeff],
].map((cp) => String.fromCodePoint(cp));

describe('issue 14.9: display names are NFKC-normalised and refuse bidi controls and zero-width characters', () => {
  it('the rule refuses each bidi control and zero-width character, anywhere in the name, naming the code point', () => {
    for (const char of REFUSED) {
      for (const name of [`Brian${char}Okuku`, `${char}Brian Okuku`, `Brian Okuku${char}`]) {
        expect(() => normalizeFullName(name), JSON.stringify(name)).toThrow(/invisible or text-direction control characters \(found U\+/);
      }
    }
  });

  it('the rule folds compatibility forms (full-width letters, ligatures) and keeps ordinary names, accents and scripts', () => {
    expect(normalizeFullName('Ｂｒｉａｎ  Ｏｋｕｋｕ')).toBe('Brian Okuku');
    expect(normalizeFullName('ﬁona')).toBe('fiona');
    expect(normalizeFullName('Zoë Ñúñez')).toBe('Zoë Ñúñez');
    expect(normalizeFullName('محمد علي')).toBe('محمد علي');
    expect(normalizeFullName('山田 太郎')).toBe('山田 太郎');
  });

  it('register: a name with a right-to-left override → 422 invalid_full_name and no account is written', async () => {
    const before = await countRows(t.ctx, 'users');
    const res = await register('rlo', 'Brian\u202Eukuko');
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'invalid_full_name', details: [{ field: 'full_name' }] });
    expect(res.json().error.message).toMatch(/U\+202E/);
    expect(await countRows(t.ctx, 'users')).toBe(before);
  });

  it('register: a full-width name is stored NFKC-normalised', async () => {
    const res = await register('fw', 'Ｂｒｉａｎ Ｏｋｕｋｕ');
    expect(res.statusCode).toBe(201);
    expect(res.json().user.full_name).toBe('Brian Okuku');
  });

  it('PUT /users/me: a zero-width or bidi character → 422 invalid_full_name and the stored name is unchanged; a clean name is saved', async () => {
    const u = await makeUser(t.ctx, { fullName: 'Clarie Gor' });
    for (const fullName of ['Clarie\u200BGor', 'Clarie \u2066Gor\u2069', '\uFEFFClarie Gor', 'Clarie\u200FGor']) {
      const res = await t.app.inject({ method: 'PUT', url: '/api/v1/users/me', headers: u.auth, payload: { full_name: fullName } });
      expect(res.statusCode, JSON.stringify(fullName)).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'invalid_full_name', details: [{ field: 'full_name' }] });
    }
    expect(await storedFullName(u.id)).toBe('Clarie Gor');
    const ok = await t.app.inject({ method: 'PUT', url: '/api/v1/users/me', headers: u.auth, payload: { full_name: 'Ｃｌａｒｉｅ Ｗ' } });
    expect(ok.statusCode).toBe(200);
    expect(await storedFullName(u.id)).toBe('Clarie W');
  });

  it('a name that NFKC lengthens past 255 characters → 422, never 500', async () => {
    const u = await makeUser(t.ctx);
    // U+FDFA is one character that NFKC turns into 18.
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/users/me', headers: u.auth, payload: { full_name: '\uFDFA'.repeat(20) } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('invalid_full_name');
  });
});
