import { createTransport, type Transporter } from "nodemailer";
import SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import { env } from "@/lib/core/env";

// Outgoing email over SMTP (SMTP_URL, MAIL_FROM). Without SMTP_URL there is no mailer: the
// notifications stay in the app and nothing is sent.

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

// Short timeouts: a dead mail server must not hold a dispatcher's follow-up work for minutes
// (nodemailer's defaults are 2 min to connect and 10 min of socket inactivity).
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000, dnsTimeout: 10_000 };

/** The From address: MAIL_FROM, or a no-reply address at the app's own host. */
export function defaultFrom(appUrl: string, mailFrom?: string): string {
  if (mailFrom) return mailFrom;
  return `Leadhooks <no-reply@${new URL(appUrl).hostname}>`;
}

/** A mailer sending through the SMTP server of `url` (smtp://user:pass@host:port or smtps://…). */
export function createSmtpMailer(url: string, from: string): Mailer & { close(): void } {
  // The transport class takes the URL plus our own options; createTransport({ url }) would keep
  // only what the URL says.
  const transport: Transporter<SMTPTransport.SentMessageInfo> = createTransport(new SMTPTransport({ url, ...TIMEOUTS }));
  return {
    async send(message) {
      await transport.sendMail({ from, ...message });
    },
    close: () => transport.close(),
  };
}

const key = Symbol.for("leadhooks.mailer");
type G = typeof globalThis & { [key]?: { url: string; from: string; mailer: Mailer & { close(): void } } };

/** The process's mailer from SMTP_URL and MAIL_FROM, or null when SMTP is not configured. */
export function mailerFromEnv(): Mailer | null {
  const e = env();
  if (!e.SMTP_URL) return null;
  const from = defaultFrom(e.NEXTAUTH_URL, e.MAIL_FROM);
  const g = globalThis as G;
  const cached = g[key];
  if (cached && cached.url === e.SMTP_URL && cached.from === from) return cached.mailer;
  cached?.mailer.close();
  const mailer = createSmtpMailer(e.SMTP_URL, from);
  g[key] = { url: e.SMTP_URL, from, mailer };
  return mailer;
}
