// JSON numbers that would not come back as sent. JSON.parse turns every number into a double, so
// 9007199254740993 becomes 9007199254740992, 0.1000000000000000055511151231257827 becomes 0.1 and
// 1e400 becomes Infinity, silently, and that changed value is then stored, returned and delivered.
// The API refuses such numbers (422, naming the field, asking for a string) instead. Node 20's
// JSON.parse has no reviver `context.source`, so this scans the raw text once for its number tokens.

/** Whole numbers beyond this lose neighbours (2^53 + 1 reads as 2^53): they must be sent as strings. */
export const MAX_EXACT_INTEGER = Number.MAX_SAFE_INTEGER;

export interface InexactNumber {
  /** The field's path, dot-joined as the API's error fields are (customFields.ext_id, items.0). */
  path: string;
  /** The number as it was written. */
  token: string;
}

/** A decimal value as sign, significant digits and exponent (digits × 10^exponent). */
interface Decimal {
  negative: boolean;
  digits: string;
  exponent: bigint;
}

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

function decimalOf(text: string): Decimal | null {
  const m = NUMBER.exec(text);
  if (!m) return null;
  const [, sign, int, frac = "", exp = "0"] = m;
  let digits = (int! + frac).replace(/^0+/, "");
  let exponent = BigInt(exp) - BigInt(frac.length);
  const trimmed = digits.replace(/0+$/, "");
  exponent += BigInt(digits.length - trimmed.length);
  digits = trimmed;
  return { negative: sign === "-", digits, exponent: digits ? exponent : 0n };
}

/** Whether the number a JSON token denotes is exactly what JSON.parse + JSON.stringify give back. */
export function isExactNumber(token: string): boolean {
  const value = Number(token);
  if (!Number.isFinite(value)) return false; // 1e400 → Infinity, which JSON cannot even write
  if (Math.abs(value) > MAX_EXACT_INTEGER) return false;
  const sent = decimalOf(token);
  const kept = decimalOf(String(value));
  if (!sent || !kept) return false;
  if (!sent.digits) return !sent.negative; // -0 comes back as 0
  return sent.negative === kept.negative && sent.digits === kept.digits && sent.exponent === kept.exponent;
}

type Frame = { kind: "object"; key: string | null } | { kind: "array"; index: number };

/**
 * Every number in a JSON text (already known to be valid JSON) that would not come back as sent:
 * not finite, a whole number beyond ±(2^53 − 1), more significant digits than a double keeps, or
 * negative zero.
 */
export function inexactNumbers(json: string): InexactNumber[] {
  const found: InexactNumber[] = [];
  const stack: Frame[] = [];
  const pathHere = () =>
    stack
      .map((f) => (f.kind === "object" ? (f.key ?? "") : String(f.index)))
      .join(".");
  let i = 0;
  while (i < json.length) {
    const c = json[i]!;
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === "\\" ? 2 : 1;
      const top = stack.at(-1);
      // A string right after "{" or "," inside an object is a key; the parser checked the grammar.
      if (top?.kind === "object" && top.key === null) top.key = JSON.parse(json.slice(i, end + 1)) as string;
      i = end + 1;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      let end = i + 1;
      while (end < json.length && /[0-9eE.+-]/.test(json[end]!)) end++;
      const token = json.slice(i, end);
      if (!isExactNumber(token)) found.push({ path: pathHere() || "_body", token });
      i = end;
    } else {
      if (c === "{") stack.push({ kind: "object", key: null });
      else if (c === "[") stack.push({ kind: "array", index: 0 });
      else if (c === "}" || c === "]") stack.pop();
      else if (c === ",") {
        const top = stack.at(-1);
        if (top?.kind === "object") top.key = null;
        else if (top) top.index++;
      }
      i++;
    }
  }
  return found;
}

export const INEXACT_NUMBER_MESSAGE =
  "This number cannot be kept exactly (JSON numbers are read as 64-bit floats: whole numbers up to ±9007199254740991, about 15 significant digits). Send it as a string to keep every digit.";
