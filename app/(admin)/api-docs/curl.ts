// The example request shown under each endpoint: curl with the API key from an environment
// variable (never a real key on the page), path parameters as placeholders.

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export function curlExample(base: string, method: string, path: string, opts: { auth: boolean; body?: unknown; pathParams: string[] }): string {
  const url = base.replace(/\/$/, "") + path.replace(/\{(\w+)\}/g, (_m, name: string) => `<${name}>`);
  const lines = [`curl -X ${method.toUpperCase()} ${quote(url)}`];
  if (opts.auth) lines.push(`-H "Authorization: Bearer $LEADHOOKS_API_KEY"`);
  if (opts.body !== undefined) {
    lines.push(`-H "Content-Type: application/json"`);
    lines.push(`-d ${quote(JSON.stringify(opts.body, null, 2))}`);
  }
  return lines.join(" \\\n  ");
}
