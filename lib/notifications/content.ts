import { z } from "zod";

// What each notification says, and the JSON it keeps in Notification.data. Pure (no database),
// so the app page, the email and the tests read the same shapes.

export const NO_RESPONSE = 999;

const ERROR_CLASS_LABELS: Record<string, string> = {
  blocked: "blocked address",
  dns: "DNS lookup failed",
  connection_refused: "connection refused",
  connection_reset: "connection reset",
  timeout: "timed out",
  tls: "TLS certificate error",
  protocol: "protocol error",
  network: "network error",
  auth: "authentication failed",
  config: "configuration error, nothing sent",
  internal: "internal error in Leadhooks",
};

/** "HTTP 500", or for 999 what happened instead of a response ("no response: timed out"). */
export function statusLabel(statusCode: number, errorClass: string | null): string {
  if (statusCode === NO_RESPONSE) return `no response${errorClass ? `: ${ERROR_CLASS_LABELS[errorClass] ?? errorClass}` : ""}`;
  return `HTTP ${statusCode}`;
}

/** MetaLocator's rule: a status of 300 or more (999 included: DNS, connect, TLS, timeout) is an error to report. */
export function isReportableFailure(statusCode: number | null, errorClass: string | null): boolean {
  return (statusCode !== null && statusCode >= 300) || errorClass !== null;
}

export const reportedFailureSchema = z.object({
  deliveryId: z.string(),
  at: z.string(),
  statusCode: z.number().int(),
  errorClass: z.string().nullable(),
  message: z.string().nullable(),
});

export const errorReportDataSchema = z.object({
  ruleTitle: z.string(),
  count: z.number().int(),
  /** The previous report's time: this one covers what failed after it. Null for a first report. */
  since: z.string().nullable(),
  first: z.string(),
  last: z.string(),
  statuses: z.array(z.object({ statusCode: z.number().int(), errorClass: z.string().nullable(), count: z.number().int() })),
  /** The most recent failures, newest first (at most RECENT_LIMIT). */
  recent: z.array(reportedFailureSchema),
});
export type ErrorReportData = z.infer<typeof errorReportDataSchema>;

export const warningDataSchema = z.object({ ruleTitle: z.string(), failures: z.number().int(), threshold: z.number().int(), level: z.number().int() });
export type WarningData = z.infer<typeof warningDataSchema>;

export const disabledDataSchema = z.object({ ruleTitle: z.string(), failures: z.number().int(), reason: z.string() });
export type DisabledData = z.infer<typeof disabledDataSchema>;

export const capReachedDataSchema = z.object({
  ruleTitle: z.string(),
  /** The cap, as the rule says it ("daily cap of 500 deliveries"). */
  cap: z.string(),
  resetsAt: z.string(),
  action: z.enum(["hold", "skip"]),
});
export type CapReachedData = z.infer<typeof capReachedDataSchema>;

export const RECENT_LIMIT = 10;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
// Titles go into subjects and headings: one line, bounded.
// The cut never leaves half an emoji (a lone surrogate, which the database cannot store as sent).
const oneLine = (s: string) => s.replace(/\s+/g, " ").trim().slice(0, 120).replace(/[\uD800-\uDBFF]$/, "");

/** "HTTP 500, HTTP 503 and 1 more", most frequent first. */
export function statusSummary(statuses: ErrorReportData["statuses"], max = 3): string {
  const labels = [...new Set([...statuses].sort((a, b) => b.count - a.count).map((s) => statusLabel(s.statusCode, s.errorClass)))];
  if (labels.length <= max) return labels.join(", ");
  return `${labels.slice(0, max).join(", ")} and ${labels.length - max} more`;
}

export interface NotificationContent<D> {
  title: string;
  body: string;
  data: D;
}

export function errorReportContent(data: ErrorReportData): NotificationContent<ErrorReportData> {
  const title = `Rule "${oneLine(data.ruleTitle)}": ${plural(data.count, "failed delivery", "failed deliveries")} (${statusSummary(data.statuses)})`;
  const counts = [...data.statuses].sort((a, b) => b.count - a.count).map((s) => `${statusLabel(s.statusCode, s.errorClass)} ×${s.count}`);
  const span = data.first === data.last ? `at ${utc(data.first)}` : `between ${utc(data.first)} and ${utc(data.last)}`;
  const body = `${plural(data.count, "delivery attempt", "delivery attempts")} of rule "${oneLine(data.ruleTitle)}" failed ${span}: ${counts.join(", ")}.`;
  return { title, body, data };
}

export function warningContent(data: WarningData): NotificationContent<WarningData> {
  const name = oneLine(data.ruleTitle);
  return {
    title: `Rule "${name}" has failed ${plural(data.failures, "time", "times")} in a row`,
    body: `Rule "${name}" has failed ${plural(data.failures, "time", "times")} in a row; it will be disabled after ${data.threshold}. Check the endpoint and the delivery log.`,
    data,
  };
}

export function disabledContent(data: DisabledData): NotificationContent<DisabledData> {
  const name = oneLine(data.ruleTitle);
  return {
    title: `Rule "${name}" was disabled`,
    body: `${data.reason}. No webhooks are sent for it until an admin enables it again; enabling it offers to replay the deliveries that failed or were skipped while it was down.`,
    data,
  };
}

export function capReachedContent(data: CapReachedData): NotificationContent<CapReachedData> {
  const name = oneLine(data.ruleTitle);
  const then = data.action === "hold" ? "New deliveries are held and sent once it resets." : "New deliveries are skipped until then; an admin can send them again from the delivery log.";
  return { title: `Rule "${name}" reached its ${data.cap}`, body: `Rule "${name}" reached its ${data.cap}; the period resets at ${utc(data.resetsAt)}. ${then}`, data };
}

export const WARNING_LEVELS = [50, 75, 90] as const;

/** The failure counts at which admins are warned (50, 75 and 90 % of the threshold, below it). */
export function warningPoints(threshold: number): { level: number; at: number }[] {
  const points = WARNING_LEVELS.map((level) => ({ level, at: Math.ceil((threshold * level) / 100) })).filter((p) => p.at < threshold);
  return points.filter((p, i) => points.findIndex((q) => q.at === p.at) === i);
}

/** The highest warning level (percent) `failures` has reached below the threshold, or 0. */
export function warningLevelFor(failures: number, threshold: number): number {
  let level = 0;
  for (const p of warningPoints(threshold)) if (failures >= p.at) level = p.level;
  return level;
}

/** The reason recorded on a rule disabled by the threshold. */
export function thresholdReason(threshold: number): string {
  return `Disabled automatically after ${threshold} consecutive failed deliveries`;
}

export const GONE_REASON = "Disabled automatically: the endpoint answered 410 Gone";

/** "2026-01-05 14:03:22 UTC": the app shows UTC everywhere, so the email does too. */
export function utc(iso: string): string {
  return `${iso.slice(0, 19).replace("T", " ")} UTC`;
}
