// Calling the REST API's route handlers directly, with real Requests, as the integration tests do.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- route handlers differ only in their params' shape
export type RouteHandler = (req: Request, route: { params: Promise<any> }) => Promise<Response>;

export interface RouteCall {
  /** Defaults to POST when there is a body (`body` or `raw`), GET otherwise. */
  method?: string;
  /** The API key to send as a Bearer token; null sends no Authorization header. */
  key?: string | null;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (malformed or oversized bodies). */
  raw?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The route's dynamic segments; `id` is short for `params: { id }`. */
  params?: Record<string, string>;
  id?: string;
}

/**
 * A `call(handler, init)` for one test file. The key is read on each call (files create their
 * keys in beforeAll), and used unless `init.key` says otherwise.
 */
export function routeCaller(defaultKey: () => string) {
  return (handler: RouteHandler, init: RouteCall = {}) => {
    const query = new URLSearchParams(init.query ?? {}).toString();
    const key = init.key === undefined ? defaultKey() : init.key;
    const hasBody = init.body !== undefined || init.raw !== undefined;
    return handler(
      new Request(`http://localhost/api/v1/x${query ? `?${query}` : ""}`, {
        method: init.method ?? (hasBody ? "POST" : "GET"),
        headers: { "content-type": "application/json", ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...init.headers },
        body: init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
      }),
      { params: Promise.resolve(init.params ?? (init.id ? { id: init.id } : {})) },
    );
  };
}
