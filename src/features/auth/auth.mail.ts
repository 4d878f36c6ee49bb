import type { DomainEvents } from '../../infra/bus/domain-events.js';
import type { Mailer } from '../../infra/mail/mailer.js';
import './auth.events.js';
import { MAIL_LINK_PATHS as PATHS } from './auth.pages.app-links.js';

function link(appUrl: string, path: string, token: string): string {
  return `${appUrl}${path}?token=${encodeURIComponent(token)}`;
}

/**
 * The Message-ID of the mail `part` an event asks for: the same on every retry of the event's job,
 * so a receiving server can drop a mail sent twice (the worker died after the send, before its receipt).
 */
export function eventMessageId(eventId: string, part: string, appUrl: string): string {
  return `<${eventId}.${part}@${new URL(appUrl).hostname}>`;
}

/**
 * The mails the auth feature's events ask for (auth.subscriptions.ts wires each event to its mail).
 * The links point at APP_URL's paths (MAIL_LINK_PATHS): the app opens them as universal links / App
 * Links, and without the app this API serves a page for each (auth.pages.routes.ts; docs/deep-links.md).
 * `eventId` (the event's id) makes each mail's Message-ID (eventMessageId).
 */
export class AuthMail {
  constructor(
    private readonly mailer: Mailer,
    private readonly appUrl: string,
  ) {}

  async verification({ email, fullName, token }: DomainEvents['auth.verification_requested'], eventId: string): Promise<void> {
    const url = link(this.appUrl, PATHS.verifyEmail, token);
    await this.mailer.send({
      messageId: this.messageId(eventId, 'verification'),
      to: email,
      subject: 'Confirm your email for Tribe',
      text:
        `Hi ${fullName},\n\nConfirm that ${email} is your address by opening this link:\n\n${url}\n\n` +
        'The link works once and expires in 48 hours. If you did not create a Tribe account, ignore this mail.\n',
    });
  }

  async passwordReset({ email, fullName, token }: DomainEvents['auth.password_reset_requested'], eventId: string): Promise<void> {
    const url = link(this.appUrl, PATHS.resetPassword, token);
    await this.mailer.send({
      messageId: this.messageId(eventId, 'password-reset'),
      to: email,
      subject: 'Reset your Tribe password',
      text:
        `Hi ${fullName},\n\nSomeone asked to reset the password of your Tribe account. To choose a new one, open:\n\n${url}\n\n` +
        'The link works once and expires in 1 hour. If it was not you, ignore this mail: your password stays as it is.\n',
    });
  }

  /** The confirm link goes to the new address, the revert link to the old one. */
  async emailChangeRequested(
    { fullName, oldEmail, newEmail, confirmToken, revertToken }: DomainEvents['auth.email_change_requested'],
    eventId: string,
  ): Promise<void> {
    await this.mailer.send({
      messageId: this.messageId(eventId, 'new-address'),
      to: newEmail,
      subject: 'Confirm your new email for Tribe',
      text:
        `Hi ${fullName},\n\nTo make ${newEmail} the address you log in with, open this link:\n\n` +
        `${link(this.appUrl, PATHS.confirmEmailChange, confirmToken)}\n\n` +
        `Until then you keep logging in with ${oldEmail}. The link works once and expires in 48 hours.\n`,
    });
    await this.mailer.send({
      messageId: this.messageId(eventId, 'old-address'),
      to: oldEmail,
      subject: 'Your Tribe email is being changed',
      text:
        `Hi ${fullName},\n\nSomeone asked to change the email of your Tribe account from ${oldEmail} to ${newEmail}.\n\n` +
        `If it was not you, open this link to keep ${oldEmail} and sign out every device:\n\n` +
        `${link(this.appUrl, PATHS.revertEmailChange, revertToken)}\n\n` +
        'The link works for 7 days, also after the new address is confirmed. Then choose a new password.\n',
    });
  }

  async emailChangeConfirmed({ fullName, oldEmail, newEmail }: DomainEvents['auth.email_change_confirmed'], eventId: string): Promise<void> {
    await this.mailer.send({
      messageId: this.messageId(eventId, 'email-changed'),
      to: newEmail,
      subject: 'Your Tribe email was changed',
      text: `Hi ${fullName},\n\nYou now log in to Tribe with ${newEmail} instead of ${oldEmail}.\n`,
    });
  }

  async emailChangeReverted({ fullName, email }: DomainEvents['auth.email_change_reverted'], eventId: string): Promise<void> {
    await this.mailer.send({
      messageId: this.messageId(eventId, 'email-restored'),
      to: email,
      subject: 'Your Tribe email was restored',
      text:
        `Hi ${fullName},\n\nYour account logs in with ${email} again and every device has been signed out.\n\n` +
        `If you did not ask for the change, choose a new password now: ${this.appUrl}${PATHS.forgotPassword}\n`,
    });
  }

  async passwordChanged({ fullName, email }: DomainEvents['auth.password_changed'], eventId: string): Promise<void> {
    await this.mailer.send({
      messageId: this.messageId(eventId, 'password-changed'),
      to: email,
      subject: 'Your Tribe password was changed',
      text:
        `Hi ${fullName},\n\nThe password of your Tribe account was just changed and your other devices were signed out.\n\n` +
        `If it was not you, reset it now: ${this.appUrl}${PATHS.forgotPassword}\n`,
    });
  }

  private messageId(eventId: string, part: string): string {
    return eventMessageId(eventId, part, this.appUrl);
  }
}
