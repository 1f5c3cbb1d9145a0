// The filters Leadhooks adds to Liquid, as plain functions (liquid.ts registers them). Each takes
// whatever the template passes (a string, a number, nil) and returns a string.

/** Widest a pad filter may make a value: fixed-width records are a few hundred characters. */
export const PAD_MAX = 10_000;

export function text(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

// Characters XML 1.0 does not allow at all, even escaped: C0 controls other than tab, LF and CR,
// lone surrogates and U+FFFE/U+FFFF. Dropping them keeps one odd lead value from making the whole
// document unparseable for the receiver.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Safe in XML text and in single- or double-quoted attributes. */
export function xmlEscape(v: unknown): string {
  return text(v).replace(XML_INVALID, "").replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

/**
 * One CSV field per RFC 4180: quoted (with inner quotes doubled) when it holds the delimiter, a
 * quote or a line break; as is otherwise. The delimiter defaults to a comma (`csv_escape: "|"`
 * for pipe-delimited lines).
 */
export function csvEscape(v: unknown, delimiter?: unknown): string {
  const s = text(v);
  const sep = typeof delimiter === "string" && delimiter !== "" ? delimiter : ",";
  return s.includes(sep) || /["\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function padArgs(name: string, width: unknown, char: unknown): { width: number; char: string } {
  const w = Number(width);
  if (width === undefined || width === null || width === "" || !Number.isInteger(w) || w < 0 || w > PAD_MAX) {
    throw new Error(`${name} needs a width between 0 and ${PAD_MAX.toLocaleString("en-US")}, e.g. ${name}: 10`);
  }
  const first = Array.from(text(char))[0];
  return { width: w, char: first ?? " " };
}

// Fixed-width records count characters, not UTF-16 units, so an emoji is one column and is never
// cut in half. A value longer than the width is cut to its first `width` characters.
function fit(v: unknown, name: string, width: unknown, char: unknown, side: "left" | "right"): string {
  const a = padArgs(name, width, char);
  const chars = Array.from(text(v));
  if (chars.length >= a.width) return chars.slice(0, a.width).join("");
  const pad = a.char.repeat(a.width - chars.length);
  return side === "left" ? pad + chars.join("") : chars.join("") + pad;
}

/** Exactly `width` characters: padded on the left (numbers, right-aligned) or truncated. */
export function padLeft(v: unknown, width: unknown, char?: unknown): string {
  return fit(v, "pad_left", width, char, "left");
}

/** Exactly `width` characters: padded on the right (text, left-aligned) or truncated. */
export function padRight(v: unknown, width: unknown, char?: unknown): string {
  return fit(v, "pad_right", width, char, "right");
}

/** Only the digits 0-9 (phone numbers, zip codes). */
export function digits(v: unknown): string {
  return text(v).replace(/\D/g, "");
}
