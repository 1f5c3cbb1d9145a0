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

export function Pre({ children, label }: { children: string; label: string }) {
  return (
    <pre aria-label={label} tabIndex={0} className="max-h-96 overflow-auto whitespace-pre-wrap break-all rounded-md bg-slate-900 px-3 py-2.5 font-mono text-xs leading-relaxed text-slate-100">
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

export function Subheading({ children }: { children: React.ReactNode }) {
  return <h4 className="mb-1.5 mt-4 text-xs font-semibold uppercase tracking-wide text-slate-500 first:mt-0">{children}</h4>;
}
