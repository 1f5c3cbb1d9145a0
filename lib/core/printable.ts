/**
 * `s` as one line of plain text for a terminal: control characters (a newline or an escape
 * sequence in a name someone typed) are shown as \uXXXX, not obeyed, so they cannot forge lines or
 * colours in the output they are printed in.
 */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
