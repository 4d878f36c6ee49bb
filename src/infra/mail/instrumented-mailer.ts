import type { MailMessage, Mailer } from './mailer.js';

/** Where mail outcomes are counted (infra/metrics/metrics.ts Metrics). */
export interface MailDeliveryCounter {
  countMailDelivery(outcome: 'sent' | 'failed'): void;
}

/** A mailer that counts each send as `sent` (the transport took it) or `failed` (it threw; rethrown unchanged). */
export class InstrumentedMailer implements Mailer {
  constructor(
    private readonly inner: Mailer,
    private readonly counter: MailDeliveryCounter,
  ) {}

  async send(message: MailMessage): Promise<void> {
    try {
      await this.inner.send(message);
    } catch (err) {
      this.counter.countMailDelivery('failed');
      throw err;
    }
    this.counter.countMailDelivery('sent');
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
