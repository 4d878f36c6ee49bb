import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { MailMessage, Mailer } from './mailer.js';

export interface FileMailerLogger {
  info(obj: object, msg: string): void;
}

/** Writes each message as an RFC 822 `.eml` file (open it in any mail client) and logs a line. */
export class FileMailer implements Mailer {
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(
    private readonly directory: string,
    private readonly from: string,
    private readonly logger: FileMailerLogger,
  ) {}

  async send(message: MailMessage): Promise<void> {
    const info = await this.transport.sendMail({ from: this.from, ...message });
    await mkdir(this.directory, { recursive: true });
    const file = path.join(this.directory, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`);
    await writeFile(file, info.message as Buffer);
    this.logger.info({ to: message.to, subject: message.subject, file }, 'mail written to file');
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
