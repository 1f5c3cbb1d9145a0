/**
 * `s` as one line of plain text for a terminal: control characters (a newline or an escape
 * sequence in a name someone typed) and the invisible marks that reorder text (bidirectional
 * overrides, embeddings and isolates, which can make a name read as another) are shown as \uXXXX,
 * not obeyed, so they cannot forge lines, colours or words in the output they are printed in.
 */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
