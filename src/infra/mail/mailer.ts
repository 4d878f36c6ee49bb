export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /**
   * The Message-ID header (`<id@domain>`), deterministic for a mail an event asks for (from its event
   * id), so a mail sent again by a retried job is the same message and a receiving server can drop
   * the duplicate. Without one, the transport makes a random id.
   */
  messageId?: string;
}

/** The mail port: SMTP in production, `.eml` files in DATA_DIR/mail otherwise. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}
