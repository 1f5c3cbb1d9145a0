import type { NotificationKind } from "@/lib/generated/prisma/enums";
import { errorReportDataSchema, statusLabel, utc } from "./content";

// The email for a notification: plain text and a simple HTML part with the same content. Rule
// titles, error messages and response details come from users and receivers: every one of them
// is escaped in the HTML, and the text part is plain text.

export interface EmailableNotification {
  kind: NotificationKind;
  ruleId: string | null;
  title: string;
  body: string;
  data: unknown;
}

export interface ComposedEmail {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

const link = (href: string, label: string) => `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;

/** Links in the email point at the app (NEXTAUTH_URL), without a trailing slash. */
export function appLinks(baseUrl: string) {
  const base = baseUrl.replace(/\/+$/, "");
  return {
    delivery: (id: string) => `${base}/deliveries/${encodeURIComponent(id)}`,
    ruleDeliveries: (ruleId: string) => `${base}/deliveries?ruleId=${encodeURIComponent(ruleId)}`,
    rule: (ruleId: string) => `${base}/rules/${encodeURIComponent(ruleId)}`,
    rules: `${base}/rules`,
    notifications: `${base}/notifications`,
  };
}

export function composeEmail(n: EmailableNotification, baseUrl: string): ComposedEmail {
  const links = appLinks(baseUrl);
  const subject = `[Leadhooks] ${n.title}`.replace(/[\r\n]+/g, " ");
  const text: string[] = [n.body, ""];
  const html: string[] = [`<p>${escapeHtml(n.body)}</p>`];

  const report = n.kind === "ERROR_REPORT" ? errorReportDataSchema.safeParse(n.data) : null;
  if (report?.success && report.data.recent.length) {
    const shown = report.data.recent;
    const heading = shown.length < report.data.count ? `The ${shown.length} most recent failures:` : "Failures:";
    text.push(heading);
    html.push(`<p>${escapeHtml(heading)}</p>`, "<ul>");
    for (const f of shown) {
      const what = statusLabel(f.statusCode, f.errorClass) + (f.message ? ` (${f.message})` : "");
      text.push(`- ${utc(f.at)}: ${what}`, `  ${links.delivery(f.deliveryId)}`);
      html.push(`<li>${escapeHtml(utc(f.at))}: ${escapeHtml(what)} — ${link(links.delivery(f.deliveryId), "view delivery")}</li>`);
    }
    html.push("</ul>");
    text.push("");
  }

  if (n.ruleId) {
    const all = n.kind === "RULE_DISABLED" ? { href: links.rules, label: "Enable the rule again on Webhook Rules" } : { href: links.ruleDeliveries(n.ruleId), label: "All deliveries of this rule" };
    text.push(`${all.label}: ${all.href}`, `Rule settings: ${links.rule(n.ruleId)}`);
    html.push(`<p>${link(all.href, all.label)} · ${link(links.rule(n.ruleId), "Rule settings")}</p>`);
  }
  const footer = `You receive this because you are an admin of this Leadhooks organization. Notifications: ${links.notifications}`;
  text.push("", "--", footer);
  html.push(`<p style="color:#64748b;font-size:12px">${escapeHtml(footer)}</p>`);
  return { subject, text: text.join("\n"), html: `<!doctype html><html><body style="font-family:sans-serif;font-size:14px">${html.join("\n")}</body></html>` };
}
