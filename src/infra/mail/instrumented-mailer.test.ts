import { describe, expect, it } from 'vitest';
import { Metrics } from '../metrics/metrics.js';
import { InstrumentedMailer } from './instrumented-mailer.js';
import type { MailMessage, Mailer } from './mailer.js';

const message: MailMessage = { to: 'a@example.com', subject: 'Hi', text: 'Hello' };

async function deliveries(metrics: Metrics): Promise<Record<string, number>> {
  const { values } = await metrics.mailDeliveries.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
}

describe('InstrumentedMailer', () => {
  it('counts a send the transport took as sent, and one it refused as failed, rethrowing the refusal', async () => {
    const sent: MailMessage[] = [];
    let refuse = false;
    const transport: Mailer = {
      async send(m) {
        if (refuse) throw new Error('550 mailbox unavailable');
        sent.push(m);
      },
      async close() {},
    };
    const metrics = new Metrics({ processMetrics: false });
    const mailer = new InstrumentedMailer(transport, metrics);
    await mailer.send(message);
    refuse = true;
    await expect(mailer.send(message)).rejects.toThrow('550 mailbox unavailable');
    expect(sent).toEqual([message]);
    expect(await deliveries(metrics)).toEqual({ sent: 1, failed: 1 });
  });
});
