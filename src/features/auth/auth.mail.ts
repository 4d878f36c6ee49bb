import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Mailer } from '../../infra/mail/mailer.js';
import './auth.events.js';

function link(appUrl: string, path: string, token: string): string {
  return `${appUrl}${path}?token=${encodeURIComponent(token)}`;
}

/** Sends the verification and password-reset mails when the auth feature asks for them. */
export function registerAuthMail(bus: EventBus, mailer: Mailer, appUrl: string): void {
  bus.subscribe('auth.verification_requested', async ({ email, fullName, token }) => {
    const url = link(appUrl, '/verify-email', token);
    await mailer.send({
      to: email,
      subject: 'Confirm your email for Tribe',
      text:
        `Hi ${fullName},\n\nConfirm that ${email} is your address by opening this link:\n\n${url}\n\n` +
        'The link works once and expires in 48 hours. If you did not create a Tribe account, ignore this mail.\n',
    });
  });
  bus.subscribe('auth.password_reset_requested', async ({ email, fullName, token }) => {
    const url = link(appUrl, '/reset-password', token);
    await mailer.send({
      to: email,
      subject: 'Reset your Tribe password',
      text:
        `Hi ${fullName},\n\nSomeone asked to reset the password of your Tribe account. To choose a new one, open:\n\n${url}\n\n` +
        'The link works once and expires in 1 hour. If it was not you, ignore this mail: your password stays as it is.\n',
    });
  });
}
