import { useId } from "react";

/** "hooks.zapier.com/hooks/catch/12…" — host plus the start of the path; templates fall back to plain truncation. */
export function shortUrl(url: string, maxPath = 22): string {
  try {
    const u = new URL(url);
    const rest = `${u.pathname === "/" ? "" : u.pathname}${u.search}`;
    return `${u.host}${rest.length > maxPath ? `${rest.slice(0, maxPath)}…` : rest}`;
  } catch {
    return url.length > 40 ? `${url.slice(0, 40)}…` : url;
  }
}

/**
 * The shortened URL, focusable, with the full URL in a tooltip shown on hover and on keyboard
 * focus (and tied to it with aria-describedby for screen readers).
 */
export function RuleUrl({ url }: { url: string }) {
  const tipId = `url-${useId().replace(/:/g, "")}`;
  return (
    <span className="group relative inline-block max-w-full">
      <span tabIndex={0} title={url} aria-describedby={tipId} className="block truncate rounded font-mono text-xs text-slate-700 outline-none focus-visible:ring-2 focus-visible:ring-brand-500">
        {shortUrl(url)}
      </span>
      <span
        id={tipId}
        role="tooltip"
        className="invisible absolute left-0 top-full z-20 mt-1 w-max max-w-md break-all rounded-md bg-slate-900 px-2 py-1 font-mono text-xs text-white shadow-lg group-focus-within:visible group-hover:visible"
      >
        {url}
      </span>
    </span>
  );
}
