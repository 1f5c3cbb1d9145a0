import type { ReferenceKind } from "@/lib/generated/prisma/enums";

// Reference lists a new organization starts with, drawn from what law-firm intake desks and lead
// marketplaces commonly use. Admins edit them in Settings.

export const DEFAULT_STATUSES: { name: string; substatuses: string[] }[] = [
  { name: "New", substatuses: [] },
  { name: "Contacted", substatuses: ["Left Voicemail", "Spoke With Lead", "Awaiting Documents"] },
  { name: "Qualified", substatuses: ["Consultation Scheduled", "Under Review"] },
  { name: "Signed Up", substatuses: ["Retainer Sent", "Retainer Signed"] },
  { name: "Referred Out", substatuses: [] },
  { name: "Rejected", substatuses: ["No Case", "Statute Expired", "Conflict of Interest", "Unresponsive"] },
  { name: "Lost", substatuses: ["Hired Another Firm", "Changed Mind"] },
];

export const DEFAULT_LISTS: Partial<Record<ReferenceKind, string[]>> = {
  CASE_TYPE: ["Personal Injury", "Auto Accident", "Medical Malpractice", "Workers' Compensation", "Premises Liability", "Family Law", "Criminal Defense", "Estate Planning"],
  OFFICE: ["Main Office", "Downtown", "North Branch"],
  OPPORTUNITY_SOURCE: ["Web Form", "Phone Call", "Live Chat", "Referral", "Walk-in"],
  MARKETING_SOURCE: ["Google Ads", "Organic Search", "Facebook", "TV", "Radio", "Billboard", "Referral Partner"],
};
