import type { LeadSnapshot } from "@/lib/leads/schema";
import pkg from "@/package.json" with { type: "json" };

export const USER_AGENT = `Leadhooks/${pkg.version}`;

export interface EventEnvelope {
  id: string;
  type: string;
  timestamp: string;
  organization: { id: string; name: string };
  data: {
    lead: LeadSnapshot | null;
    note?: { id: string; body: string; author: string | null; createdAt: string };
    changes?: Record<string, { from: unknown; to: unknown }>;
  };
}

/** The default body of every delivery: the event envelope as JSON. */
export function renderDefaultRequest(envelope: EventEnvelope): { headers: Record<string, string>; body: string } {
  return {
    headers: { "content-type": "application/json", "user-agent": USER_AGENT },
    body: JSON.stringify(envelope),
  };
}
