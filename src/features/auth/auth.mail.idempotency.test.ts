import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../../../test/factories.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { jobStates, redeliver, retryNow } from '../../../test/redeliver.js';
import { queryRows } from '../../infra/db/rows.js';
import { FileMailer } from '../../infra/mail/file-mailer.js';
import type { MailMessage, Mailer } from '../../infra/mail/mailer.js';
import { AUTH_MAIL_SUBSCRIBER } from './auth.subscriptions.js';

/**
 * Mail is an external effect: a mail is skipped when its event's receipt exists and the receipt is
 * recorded right after the send, under a Message-ID made from the event id. These tests run the
 * auth-mail subscriber's jobs again (a redelivery, a failed attempt's retry) and count the mails.
 */

/** The file mailer, failing on demand: before the send (nothing left), or after it (the SMTP server took it, the receipt was never written). */
class FlakyMailer implements Mailer {
  failBefore = 0;
  failAfter = 0;
  constructor(private readonly inner: Mailer) {}
  async send(message: MailMessage): Promise<void> {
    if (this.failBefore > 0 && this.failBefore--) throw new Error('SMTP connection refused');
    await this.inner.send(message);
    if (this.failAfter > 0 && this.failAfter--) throw new Error('worker lost after the SMTP accept');
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const mailDir = mkdtempSync(path.join(os.tmpdir(), 'tribe-mail-idem-'));
const mailer = new FlakyMailer(new FileMailer(mailDir, 'Tribe <no-reply@tribe.test>', { info: () => undefined }));
let ips = 0;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ overrides: { mailer } });
});
afterAll(async () => {
  await t.close();
  rmSync(mailDir, { recursive: true, force: true });
});

/** The mails to `email` whose subject contains `subject`, with their Message-IDs. */
async function mailsTo(email: string, subject: string): Promise<Array<{ messageId: string }>> {
  await t.ctx.bus.drain();
  return readdirSync(mailDir)
    .map((f) => readFileSync(path.join(mailDir, f), 'utf8'))
    .filter((raw) => raw.includes(`To: ${email}`) && raw.includes(subject))
    .map((raw) => ({ messageId: /^Message-ID: (.*)$/im.exec(raw)?.[1]?.trim() ?? '' }));
}
const forgot = (email: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/forgot-password', payload: { email }, remoteAddress: `10.9.0.${++ips}` });
const resetTokens = async (userId: string) =>
  (await queryRows<{ n: number }>(t.ctx.database.db, sql`select count(*)::int as n from password_reset_tokens where user_id = ${userId}`))[0]!.n;

describe('auth mails: once per event', () => {
  it('a redelivered reset request issues no second token and no second mail; a redelivered mail event sends nothing', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    expect((await forgot(u.email)).statusCode).toBe(202);
    const [mail] = await mailsTo(u.email, 'Reset your Tribe password');
    expect(mail?.messageId).toMatch(/^<[0-9a-f-]{36}\.password-reset@/);
    expect(await resetTokens(u.id)).toBe(1);

    expect(await redeliver(t.ctx, AUTH_MAIL_SUBSCRIBER, 'auth.password_reset_asked', { email: u.email })).toBe(1);
    expect(await redeliver(t.ctx, AUTH_MAIL_SUBSCRIBER, 'auth.password_reset_requested', { userId: u.id })).toBe(1);

    expect(await resetTokens(u.id)).toBe(1);
    expect(await mailsTo(u.email, 'Reset your Tribe password')).toHaveLength(1);
  });

  it('a send that failed is retried and succeeds: one mail', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    mailer.failBefore = 1;
    expect((await forgot(u.email)).statusCode).toBe(202);
    await t.ctx.bus.drain();
    expect(await mailsTo(u.email, 'Reset your Tribe password')).toHaveLength(0);
    // Failed once, waiting for its retry (pg-boss counts the attempt when it fetches the job again).
    expect((await jobStates(t.ctx, AUTH_MAIL_SUBSCRIBER, 'auth.password_reset_requested')).at(-1)).toEqual({ state: 'retry', retryCount: 0 });

    await retryNow(t.ctx, AUTH_MAIL_SUBSCRIBER);

    expect(await mailsTo(u.email, 'Reset your Tribe password')).toHaveLength(1);
    expect((await jobStates(t.ctx, AUTH_MAIL_SUBSCRIBER, 'auth.password_reset_requested')).at(-1)).toEqual({ state: 'completed', retryCount: 1 });
  });

  it('a mail accepted before the job failed (no receipt) goes again under the same Message-ID, which the receiver drops', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    mailer.failAfter = 1;
    expect((await forgot(u.email)).statusCode).toBe(202);
    const [first] = await mailsTo(u.email, 'Reset your Tribe password');
    expect((await jobStates(t.ctx, AUTH_MAIL_SUBSCRIBER, 'auth.password_reset_requested')).at(-1)?.state).toBe('retry');

    await retryNow(t.ctx, AUTH_MAIL_SUBSCRIBER);

    // The retry sent it again (same Message-ID): the file mailer, like a receiving server, keeps one.
    const after = await mailsTo(u.email, 'Reset your Tribe password');
    expect(after).toEqual([first]);
    expect((await jobStates(t.ctx, AUTH_MAIL_SUBSCRIBER, 'auth.password_reset_requested')).at(-1)?.state).toBe('completed');
  });

  it('an email change mails both addresses once, each under its own Message-ID', async () => {
    const u = await makeUser(t.ctx, { verified: true });
    const newEmail = `changed-${u.id.slice(0, 8)}@example.com`;
    const res = await t.app.inject({ method: 'PUT', url: '/api/v1/users/me', headers: u.auth, payload: { email: newEmail, current_password: u.password } });
    expect(res.statusCode, res.body).toBe(200);
    expect(await redeliver(t.ctx, AUTH_MAIL_SUBSCRIBER, 'auth.email_change_requested', { newEmail })).toBe(1);

    const [toNew] = await mailsTo(newEmail, 'Confirm your new email');
    const [toOld] = await mailsTo(u.email, 'is being changed');
    expect(await mailsTo(newEmail, 'Confirm your new email')).toHaveLength(1);
    expect(await mailsTo(u.email, 'is being changed')).toHaveLength(1);
    expect(toNew!.messageId).toMatch(/\.new-address@/);
    expect(toOld!.messageId).toBe(toNew!.messageId.replace('.new-address@', '.old-address@'));
  });
});
