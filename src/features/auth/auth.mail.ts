import type { EventBus } from '../../infra/bus/event-bus.js';
import type { Mailer } from '../../infra/mail/mailer.js';
import './auth.events.js';
import { MAIL_LINK_PATHS as PATHS } from './auth.pages.app-links.js';

function link(appUrl: string, path: string, token: string): string {
  return `${appUrl}${path}?token=${encodeURIComponent(token)}`;
}

/**
 * Sends the verification and password-reset mails when the auth feature asks for them. The links
 * point at APP_URL's paths (MAIL_LINK_PATHS): the app opens them as universal links / App Links, and
 * without the app this API serves a page for each (auth.pages.routes.ts; docs/deep-links.md).
 */
export function registerAuthMail(bus: EventBus, mailer: Mailer, appUrl: string): void {
  bus.subscribe('auth.verification_requested', async ({ email, fullName, token }) => {
    const url = link(appUrl, PATHS.verifyEmail, token);
    await mailer.send({
      to: email,
      subject: 'Confirm your email for Tribe',
      text:
        `Hi ${fullName},\n\nConfirm that ${email} is your address by opening this link:\n\n${url}\n\n` +
        'The link works once and expires in 48 hours. If you did not create a Tribe account, ignore this mail.\n',
    });
  });
  bus.subscribe('auth.password_reset_requested', async ({ email, fullName, token }) => {
    const url = link(appUrl, PATHS.resetPassword, token);
    await mailer.send({
      to: email,
      subject: 'Reset your Tribe password',
      text:
        `Hi ${fullName},\n\nSomeone asked to reset the password of your Tribe account. To choose a new one, open:\n\n${url}\n\n` +
        'The link works once and expires in 1 hour. If it was not you, ignore this mail: your password stays as it is.\n',
    });
  });
  registerCredentialChangeMail(bus, mailer, appUrl);
}

/** The confirm and revert links of a login-address change, and notices of credential changes. */
function registerCredentialChangeMail(bus: EventBus, mailer: Mailer, appUrl: string): void {
  bus.subscribe('auth.email_change_requested', async ({ fullName, oldEmail, newEmail, confirmToken, revertToken }) => {
    await mailer.send({
      to: newEmail,
      subject: 'Confirm your new email for Tribe',
      text:
        `Hi ${fullName},\n\nTo make ${newEmail} the address you log in with, open this link:\n\n` +
        `${link(appUrl, PATHS.confirmEmailChange, confirmToken)}\n\n` +
        `Until then you keep logging in with ${oldEmail}. The link works once and expires in 48 hours.\n`,
    });
    await mailer.send({
      to: oldEmail,
      subject: 'Your Tribe email is being changed',
      text:
        `Hi ${fullName},\n\nSomeone asked to change the email of your Tribe account from ${oldEmail} to ${newEmail}.\n\n` +
        `If it was not you, open this link to keep ${oldEmail} and sign out every device:\n\n` +
        `${link(appUrl, PATHS.revertEmailChange, revertToken)}\n\n` +
        'The link works for 7 days, also after the new address is confirmed. Then choose a new password.\n',
    });
  });
  bus.subscribe('auth.email_change_confirmed', async ({ fullName, oldEmail, newEmail }) => {
    await mailer.send({
      to: newEmail,
      subject: 'Your Tribe email was changed',
      text: `Hi ${fullName},\n\nYou now log in to Tribe with ${newEmail} instead of ${oldEmail}.\n`,
    });
  });
  bus.subscribe('auth.email_change_reverted', async ({ fullName, email }) => {
    await mailer.send({
      to: email,
      subject: 'Your Tribe email was restored',
      text:
        `Hi ${fullName},\n\nYour account logs in with ${email} again and every device has been signed out.\n\n` +
        `If you did not ask for the change, choose a new password now: ${appUrl}${PATHS.forgotPassword}\n`,
    });
  });
  bus.subscribe('auth.password_changed', async ({ fullName, email }) => {
    await mailer.send({
      to: email,
      subject: 'Your Tribe password was changed',
      text:
        `Hi ${fullName},\n\nThe password of your Tribe account was just changed and your other devices were signed out.\n\n` +
        `If it was not you, reset it now: ${appUrl}${PATHS.forgotPassword}\n`,
    });
  });
}
