// Text as a spreadsheet cell can hold it. A workbook is XML, and XML 1.0 cannot carry C0 control
// characters (other than tab, LF, CR), U+FFFE, U+FFFF or half of a surrogate pair: one of them in
// a cell makes Excel offer to "repair" the file and drop the sheet (exceljs passes those through,
// and silently drops the C0 controls and DEL). Excel also refuses cells over 32,767 characters.
// Whatever a rule's fields hold, `sheetText` returns what the cell shows.

/** Excel's limit on the characters in one cell. */
export const MAX_CELL_CHARS = 32_767;

// C0 controls other than tab, LF, CR, and DEL; the two noncharacters; an unpaired surrogate.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Each character XML cannot hold (or exceljs would drop) becomes a visible stand-in of the same
 * length: a control character its Unicode "control picture" (U+0001 → ␁, DEL → ␡), anything else
 * U+FFFD (�), as PostgreSQL stores a lone surrogate. The reader sees where such a character was; nothing is silently dropped.
 */
export function xmlSafeText(text: string): string {
  return text.replace(NOT_XML, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    return code === 0x7f ? "\u2421" : "\uFFFD";
  });
}

/**
 * Spreadsheet formula injection guard. Cells are written as string cells, so Excel does not
 * evaluate them on open; but a user who edits such a cell, or re-saves the sheet as CSV, would
 * turn "=HYPERLINK(…)" into a live formula. Following OWASP's CSV-injection advice we prefix a
 * leading = + - @ (or tab / carriage return) with a single quote, which Excel shows as text.
 * The change is visible ("'=…"), which is the point: the reader sees the value was neutralised.
 */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Cuts `text` to Excel's cell limit, saying so and how long the value was, never splitting a surrogate pair. */
export function fitCell(text: string): string {
  if (text.length <= MAX_CELL_CHARS) return text;
  const note = ` … [cut: ${text.length.toLocaleString("en-US")} characters in full]`;
  let head = text.slice(0, MAX_CELL_CHARS - note.length);
  if (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1);
  return head + note;
}

/**
 * Line breaks as a cell holds them: LF. An XML parser reads a raw CR as LF anyway, so "\r\n"
 * would come back as two breaks and a lone "\r" would change silently.
 */
export function lineBreaksAsLf(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/** What a text cell of the export shows for `text`: XML-safe, formula-neutralised, within the cell limit. */
export function sheetText(text: string): string {
  // The formula guard looks at the original first character (a leading CR is neutralised too).
  return fitCell(lineBreaksAsLf(neutralizeFormula(xmlSafeText(text))));
}
