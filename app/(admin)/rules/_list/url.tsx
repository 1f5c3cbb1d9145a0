import { TruncatedText } from "@/components/ui/truncated-text";

/** "hooks.example.com/hooks/catch/12…" — host plus the start of the path; templates fall back to plain truncation. */
export function shortUrl(url: string, maxPath = 22): string {
  try {
    const u = new URL(url);
    const rest = `${u.pathname === "/" ? "" : u.pathname}${u.search}`;
    return `${u.host}${rest.length > maxPath ? `${rest.slice(0, maxPath)}…` : rest}`;
  } catch {
    return url.length > 40 ? `${url.slice(0, 40)}…` : url;
  }
}

/** The shortened URL, with the full URL in a tooltip shown on hover and on keyboard focus. */
export function RuleUrl({ url }: { url: string }) {
  return (
    <TruncatedText text={url} shortened className="max-w-56 font-mono text-xs text-slate-700">
      {shortUrl(url)}
    </TruncatedText>
  );
}
