/**
 * Adds an encoded query (`a=1&b=2`) to a URL, keeping the URL's own query exactly as written
 * (re-serializing it through URLSearchParams would rewrite `%20` as `+` and `?flag` as `?flag=`,
 * which some receivers read differently). The fragment, never sent over HTTP, stays at the end.
 */
export function appendQuery(url: string, query: string): string {
  if (!query) return url;
  const hash = url.indexOf("#");
  const base = hash === -1 ? url : url.slice(0, hash);
  const fragment = hash === -1 ? "" : url.slice(hash);
  const sep = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
  return `${base}${sep}${query}${fragment}`;
}

/** A URL's host[:port] as the per-host limits count it (lower case, default port left out); "" when it is not a URL. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "";
  }
}
