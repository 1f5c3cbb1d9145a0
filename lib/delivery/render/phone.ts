// Phone number formats of a field mapping. A number is read as international when it starts with
// "+" or "00", otherwise as a national number of the mapping's country (its calling code, 1 when
// none is set). Deliberately simple (no per-country numbering plans): the only check is the
// length E.164 allows (8 to 15 digits with the country code), and for calling code 1 the ten-digit
// North American plan. A value that cannot be read this way is returned unchanged, never an error.

export type PhoneFormat = "e164" | "national";

const DEFAULT_COUNTRY_CODE = "1";

interface PhoneNumber {
  countryCode: string;
  /** The number without country code or trunk prefix. */
  national: string;
}

/** "+1" or "1" → "1"; anything else → the default, 1. */
function countryCodeOf(setting: string | undefined): string {
  const digits = (setting ?? "").trim().replace(/^\+/, "");
  return /^[1-9]\d{0,2}$/.test(digits) ? digits : DEFAULT_COUNTRY_CODE;
}

function parsePhone(value: string, countryCode: string): PhoneNumber | null {
  const text = value.trim();
  if (!/^[+\d\s().\-/]+$/.test(text)) return null; // letters, extensions: not a number we rewrite
  const digits = text.replace(/\D/g, "");
  const international = text.startsWith("+") ? digits : digits.startsWith("00") ? digits.slice(2) : null;
  if (international !== null) {
    if (international.length < 8 || international.length > 15) return null;
    // Our country's numbers can be split; another country's keep their digits whole.
    if (international.startsWith(countryCode)) return checked({ countryCode, national: international.slice(countryCode.length) });
    return { countryCode: "", national: international };
  }
  if (countryCode === "1") return checked({ countryCode, national: digits.length === 11 && digits.startsWith("1") ? digits.slice(1) : digits });
  // A leading 0 is the trunk prefix most countries dial before a national number.
  return checked({ countryCode, national: digits.replace(/^0/, "") });
}

function checked(n: PhoneNumber): PhoneNumber | null {
  if (n.countryCode === "1") return /^[2-9]\d{9}$/.test(n.national) ? n : null;
  const length = n.countryCode.length + n.national.length;
  return length >= 8 && length <= 15 ? n : null;
}

/**
 * The number in E.164 (+15551234567) or the national format: (555) 123-4567 for calling code 1,
 * a trunk 0 and the digits elsewhere (020 7946 0958 → 02079460958). A number of another country
 * keeps its E.164 form in the national format. Unreadable values are returned as they are.
 */
export function formatPhone(value: string, format: PhoneFormat, countryCodeSetting?: string): string {
  const countryCode = countryCodeOf(countryCodeSetting);
  const n = parsePhone(value, countryCode);
  if (!n) return value;
  if (!n.countryCode) return `+${n.national}`;
  if (format === "e164") return `+${n.countryCode}${n.national}`;
  if (n.countryCode === "1") return `(${n.national.slice(0, 3)}) ${n.national.slice(3, 6)}-${n.national.slice(6)}`;
  return `0${n.national}`;
}
