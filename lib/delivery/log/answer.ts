import { ANSWER_NAMES } from "@/lib/domain/rule/response";

// The client's answer as the delivery list shows it in one cell: the values the CSV export puts in
// their own columns (remoteId, result, reason, price, in that order), then any other value the
// response parser extracted, as the export's "Other answer values" holds them.

/** The answer's [name, value] pairs: the named ones in the export's order, then the others. */
export function answerEntries(answer: Record<string, string>): [string, string][] {
  const named = ANSWER_NAMES.filter((name) => answer[name] !== undefined).map((name): [string, string] => [name, answer[name]!]);
  return [...named, ...Object.entries(otherAnswers(answer))];
}

/** The values not named in ANSWER_NAMES (the export's "Other answer values"). */
export function otherAnswers(answer: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(answer).filter(([name]) => !(ANSWER_NAMES as readonly string[]).includes(name)));
}

/** "A-17 · accepted · 12.5" shown, every "name: value" line on hover; null when there is no answer. */
export function answerSummary(answer: Record<string, string> | null): { shown: string; all: string } | null {
  const entries = answer ? answerEntries(answer).filter(([, value]) => value !== "") : [];
  if (!entries.length) return null;
  return { shown: entries.map(([, value]) => value).join(" · "), all: entries.map(([name, value]) => `${name}: ${value}`).join("\n") };
}
