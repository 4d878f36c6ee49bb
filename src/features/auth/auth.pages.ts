/**
 * The HTML of the mail-link pages (/verify-email, /reset-password, /confirm-email-change,
 * /revert-email-change, /forgot-password): pure functions from what a page shows to a document.
 * Every interpolated value goes through `escapeHtml`; no script, and the one stylesheet is inline
 * and allowed by its hash in the CSP (docs/deep-links.md).
 */
import { createHash } from 'node:crypto';
import { PASSWORD_HISTORY_DEPTH } from './auth.new-password.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './auth.passwords.js';

/** The password rule in words, as auth.passwords.ts and auth.new-password.ts enforce it. */
export const PASSWORD_RULE_TEXT =
  `${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_LENGTH} characters with a lower-case letter, an upper-case letter and a digit; ` +
  'not one of the 10,000 most common passwords (also with digits or symbols added); not containing your username or ' +
  `the part of your email before the @; none of your last ${PASSWORD_HISTORY_DEPTH} passwords.`;

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f6f4;color:#1d1d1b}' +
  'main{max-width:28rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:12px}' +
  'h1{font-size:1.4rem;margin-top:0}label{display:block;margin-top:1rem;font-weight:600}' +
  'input[type=password],input[type=email]{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;margin-top:.25rem}' +
  'button{margin-top:1.5rem;padding:.7rem 1.2rem;font-size:1rem;border:0;border-radius:8px;background:#2f6f4e;color:#fff}' +
  '.rule{font-size:.9rem;color:#555}.problems{color:#a11;padding-left:1.2rem}';

/** The Content-Security-Policy of every page: nothing but this stylesheet, forms to this origin only. */
export const PAGE_CSP =
  `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; ` +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** A whole document; `body` must already be HTML (built from escaped parts). */
function document(title: string, body: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)} · Tribe</title><style>${STYLE}</style></head>` +
    `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`
  );
}

const paragraph = (text: string) => `<p>${escapeHtml(text)}</p>`;

function problemList(problems: string[]): string {
  if (problems.length === 0) return '';
  return `<ul class="problems">${problems.map((p) => `<li>${escapeHtml(p)}</li>`).join('')}</ul>`;
}

/**
 * A form that posts to the page's own path (relative `action`, so it also works behind a path
 * prefix) with the token in a hidden field: the token never travels in the POST's URL.
 */
function form(action: string, token: string | undefined, fields: string, button: string): string {
  const hidden = token === undefined ? '' : `<input type="hidden" name="token" value="${escapeHtml(token)}">`;
  return (
    `<form method="post" action="${escapeHtml(action)}" enctype="application/x-www-form-urlencoded">` +
    `${hidden}${fields}<button type="submit">${escapeHtml(button)}</button></form>`
  );
}

/** A page that states an outcome (success or failure) with a line of advice. */
export function messagePage(title: string, lines: string[]): string {
  return document(title, lines.map(paragraph).join(''));
}

/** One-button pages: verify an address, confirm or undo a change of login address. */
export interface ConfirmPage {
  title: string;
  explanation: string;
  button: string;
}

export function confirmPage(action: string, token: string, page: ConfirmPage): string {
  return document(page.title, paragraph(page.explanation) + form(action, token, '', page.button));
}

export function resetPasswordPage(action: string, token: string, problems: string[] = []): string {
  const input = (name: string, label: string) =>
    `<label for="${name}">${escapeHtml(label)}</label>` +
    `<input type="password" id="${name}" name="${name}" autocomplete="new-password" required ` +
    `minlength="${PASSWORD_MIN_LENGTH}" maxlength="${PASSWORD_MAX_LENGTH}">`;
  const fields =
    input('new_password', 'New password') +
    `<p class="rule">${escapeHtml(PASSWORD_RULE_TEXT)}</p>` +
    input('confirm_password', 'Repeat the new password');
  return document(
    'Choose a new password',
    problemList(problems) + form(action, token, fields, 'Change password') +
      paragraph('Every device signed in to your account will be signed out.'),
  );
}

export function forgotPasswordPage(action: string, problems: string[] = []): string {
  const fields =
    '<label for="email">Your email address</label>' +
    '<input type="email" id="email" name="email" autocomplete="email" required maxlength="320">';
  return document(
    'Reset your password',
    problemList(problems) +
      paragraph('We will mail a link to choose a new password to this address if it belongs to a Tribe account.') +
      form(action, undefined, fields, 'Send the link'),
  );
}
