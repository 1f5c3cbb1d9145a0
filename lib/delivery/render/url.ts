import { withoutCredentials } from "@/lib/security/outbound-url";
import { isUrlTemplate } from "@/lib/domain/rule/request";
import type { TemplateContext } from "./context";
import { RenderError } from "./errors";
import { text } from "./filters";
import { createEngine, type TemplateEngine } from "./liquid";

// Dynamic URLs (`https://api.example.com/{{ lead.customFields.region }}/leads`). The template is
// the admin's; the values come from leads, which anyone with an API key can write. Every output is
// therefore percent-encoded as one URL component, so a value can add characters to a path segment
// or a query value but never a `/`, `?`, `#`, `@` or `:` that would change where the request goes.

const urlTemplates: TemplateEngine = createEngine({
  outputEscape: (v) => encodeURIComponent(text(v)),
  // Every output is encoded already; encoding again would turn "a b" into "a%2520b".
  filters: { url_encode: (v) => text(v), uri_escape: (v) => text(v), cgi_escape: (v) => text(v) },
});

// The scheme and authority of an absolute URL as written, e.g. "https://api.example.com:8443".
const ORIGIN_PART = /^([a-z][a-z0-9+.-]*:\/\/[^/?#\\]*)/i;
// "." and ".." segments (also percent-encoded: URL parsers treat %2e as a dot) would move the
// request up the path, which no lead value may do.
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/**
 * Renders a URL template for one event. A URL without template syntax is returned unchanged.
 * Throws TemplateError for a template error and RenderError when the result is not an absolute
 * http(s) URL, its host was written by a lead value, or it climbs the path with "..".
 */
export function renderUrl(template: string, ctx: TemplateContext): string {
  if (!isUrlTemplate(template)) return template;
  const rendered = urlTemplates.render(template, ctx).trim();
  // URL parsers silently drop tabs and line breaks; what is frozen must be what is sent.
  if (/[\s\u0000-\u001f\u007f]/.test(rendered)) {
    throw new RenderError("The URL template produced spaces or line breaks; use {%- -%} to trim around tags.");
  }
  let url: URL;
  try {
    url = new URL(rendered);
  } catch {
    throw new RenderError(`The URL template did not produce an absolute URL (got "${excerpt(rendered)}"). Start it with https:// and a host.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new RenderError(`The URL template produced a ${url.protocol} URL; use https:// (or http://).`);
  }
  if (!url.hostname) throw new RenderError(`The URL template did not produce a host (got "${excerpt(rendered)}").`);
  if (url.username || url.password) throw new RenderError("The URL template produced a user name or password in the URL; set credentials under Authentication instead.");
  // The host is the admin's alone: it must be written out in the template, with values only after
  // it. "https://{{ x }}.example.com" or "https://example.com{{ x }}" would let a lead choose it.
  const written = ORIGIN_PART.exec(template.trimStart())?.[1];
  if (!written || isUrlTemplate(written) || ORIGIN_PART.exec(rendered)?.[1] !== written) {
    throw new RenderError("The URL template must write out the host: use template values only after it, in the path or the query.");
  }
  const path = rendered.slice(ORIGIN_PART.exec(rendered)?.[1]?.length ?? 0).split(/[?#]/, 1)[0] ?? "";
  if (path.split("/").some((segment) => DOT_SEGMENT.test(segment))) {
    throw new RenderError(`The URL "${excerpt(rendered)}" has a "." or ".." path segment; a lead value cannot move the request to another path.`);
  }
  return rendered;
}

/** A rendered URL for a message: shortened, and never with a password in it. */
function excerpt(url: string): string {
  const s = withoutCredentials(url);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
