// Read-only views of HTTP messages on the delivery page. Everything is rendered as text (React
// escapes it): receivers' responses are untrusted.

/** The body pretty-printed when it is JSON, else as received. */
export function prettyBody(body: string): string {
  const trimmed = body.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return body;
  try {
    return JSON.stringify(JSON.parse(trimmed), null, 2);
  } catch {
    return body;
  }
}

// role="group": a <pre> may not carry a name of its own (ARIA prohibits aria-label on its generic
// role), and the name is how the block is found and announced. tabIndex: it scrolls.
export function Pre({ children, label }: { children: string; label: string }) {
  return (
    <pre role="group" aria-label={label} tabIndex={0} className="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded-md bg-slate-900 px-3 py-2.5 font-mono text-xs leading-relaxed text-slate-100">
      {children}
    </pre>
  );
}

export function HeadersBlock({ headers, label }: { headers: Record<string, string>; label: string }) {
  const entries = Object.entries(headers);
  if (entries.length === 0) return <p className="text-xs text-slate-500">No headers.</p>;
  return <Pre label={label}>{entries.map(([k, v]) => `${k}: ${v}`).join("\n")}</Pre>;
}

export function BodyBlock({ body, label }: { body: string; label: string }) {
  if (body === "") return <p className="text-xs text-slate-500">Empty body.</p>;
  return <Pre label={label}>{prettyBody(body)}</Pre>;
}

/** A block's heading, one level under the section it is in (a card's h2, an attempt's h3). */
export function Subheading({ children, level }: { children: React.ReactNode; level: 3 | 4 }) {
  const Heading = level === 3 ? "h3" : "h4";
  return <Heading className="mb-1.5 mt-4 text-xs font-semibold uppercase tracking-wide text-slate-500 first:mt-0">{children}</Heading>;
}
