import type { LeadSnapshot } from "./lead";

/** An event as recorded and as every delivery's default body carries it. */
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
