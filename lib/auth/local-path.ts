// A fixed origin to resolve relative paths against when no app origin is known; never sent anywhere.
const PLACEHOLDER_ORIGIN = "http://leadhooks.invalid";

/**
 * The same-site path a redirect may go to, or null. Relative paths pass; an absolute URL passes
 * only when its origin is `appOrigin`, and is cut to its path, so the browser stays on whatever
 * address it opened the app by (its network address, not NEXTAUTH_URL's localhost). Parsing as
 * the browser does catches the tricks a prefix check misses: `//evil.test`, `/\evil.test`, tabs
 * and newlines inside the slashes.
 */
export function localPath(url: string, appOrigin?: string): string | null {
  const base = new URL(appOrigin ?? PLACEHOLDER_ORIGIN);
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    return null;
  }
  if (parsed.origin !== base.origin) return null;
  // "http://app//evil.test" has the path "//evil.test", which a browser would read as another host.
  return `/${parsed.pathname.replace(/^\/+/, "")}${parsed.search}${parsed.hash}`;
}
