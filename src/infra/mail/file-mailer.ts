import { randomUUID } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { MailMessage, Mailer } from './mailer.js';

export interface FileMailerLogger {
  info(obj: object, msg: string): void;
}

/**
 * Writes each message as an RFC 822 `.eml` file (open it in any mail client) and logs a line. Like a
 * receiving server, it keeps one file per Message-ID: a message sent again with the same id is dropped.
 */
export class FileMailer implements Mailer {
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    private readonly directory: string,
    private readonly from: string,
    private readonly logger: FileMailerLogger,
  ) {}

  async send(message: MailMessage): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    // File names sort by time; they end with the Message-ID, made file-safe (or a random id).
    const id = message.messageId ? fileSafe(message.messageId) : randomUUID();
    const suffix = `-${id}.eml`;
    if (message.messageId && (await readdir(this.directory)).some((f) => f.endsWith(suffix))) {
      this.logger.info({ to: message.to, subject: message.subject, messageId: message.messageId }, 'mail with this Message-ID already written; dropped');
      return;
    }
    const info = await this.transport.sendMail({ from: this.from, ...message });
    const file = path.join(this.directory, `${new Date().toISOString().replace(/[:.]/g, '-')}${suffix}`);
    await writeFile(file, info.message as Buffer);
    this.logger.info({ to: message.to, subject: message.subject, file }, 'mail written to file');
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** A Message-ID (`<local@domain>`) as a file-name part. */
function fileSafe(messageId: string): string {
  return messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._-]/g, '_');
}
