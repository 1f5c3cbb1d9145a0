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
