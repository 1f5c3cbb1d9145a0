// A parser for WWW-Authenticate (RFC 9110 §11.6.1). One header may hold several challenges, and
// several headers arrive joined with ", " by the HTTP client, so commas separate both challenges
// and their parameters: a token followed by "=" is a parameter of the current challenge, any other
// token starts a new challenge.

export interface Challenge {
  /** The scheme, lower-cased ("digest", "basic", "bearer"). */
  scheme: string;
  /** Parameters by lower-cased name, quoted strings unescaped. */
  params: Record<string, string>;
  /** A token68 credential some schemes carry instead of parameters ("Negotiate abc=="). */
  token68?: string;
}

const TOKEN_CHAR = /[A-Za-z0-9!#$%&'*+.^_`|~-]/;
const TOKEN68_AFTER_SCHEME = /^[ \t]*([A-Za-z0-9._~+/-]+=*)[ \t]*(?=,|$)/;

export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const n = header.length;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < n && chars.test(header[i]!)) i++;
  };
  const readToken = () => {
    const start = i;
    skip(TOKEN_CHAR);
    return header.slice(start, i);
  };
  // Lenient: servers put base64 nonces ("abc/d+e==") unquoted although the grammar forbids it.
  const readUnquoted = () => {
    const start = i;
    skip(/[^,\s]/);
    return header.slice(start, i);
  };
  const readQuoted = () => {
    let out = "";
    i++; // the opening quote
    while (i < n && header[i] !== '"') {
      if (header[i] === "\\" && i + 1 < n) i++; // quoted-pair: the next character as is
      out += header[i];
      i++;
    }
    i++; // the closing quote (or the end of a malformed header)
    return out;
  };

  let current: Challenge | undefined;
  while (i < n) {
    skip(/[\s,]/);
    if (i >= n) break;
    const token = readToken();
    if (!token) {
      i++; // a character no grammar rule allows here: skip it
      continue;
    }
    skip(/[ \t]/);
    if (header[i] === "=") {
      i++;
      skip(/[ \t]/);
      const value = header[i] === '"' ? readQuoted() : readUnquoted();
      if (current) current.params[token.toLowerCase()] = value;
      continue;
    }
    current = { scheme: token.toLowerCase(), params: {} };
    challenges.push(current);
    const t68 = TOKEN68_AFTER_SCHEME.exec(header.slice(i));
    if (t68) {
      current.token68 = t68[1];
      i += t68[0].length;
    }
  }
  return challenges;
}
