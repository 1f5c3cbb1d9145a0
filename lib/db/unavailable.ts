// Whether an error means the database cannot be reached right now (restarting, shut down, refusing
// connections, the connection dropped or went unanswered) rather than that the request or the data is wrong. Such a
// request changed nothing (its transaction never committed), so the API answers 503 with
// Retry-After and the client sends it again. Pure: it reads the error's shape only.

/** Prisma's codes for an unreachable server, a connection it closed, and an exhausted pool. */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1017", "P2024"]);
/** The driver adapter's kinds for the same, as in meta.driverAdapterError.cause.kind. */
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
/** PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections; class 08 is connection exceptions. */
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
/** Node's socket errors from the pg driver when there is no server, or it went away. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
const MESSAGES = /Connection terminated|Query read timeout|connection timeout|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection|the database system is (starting up|shutting down|in recovery mode)/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  const todo: unknown[] = [err];
  while (todo.length) {
    const e = todo.pop();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    const code = typeof o.code === "string" ? o.code : undefined;
    if (code && (PRISMA_CODES.has(code) || SQLSTATES.has(code) || SOCKET_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    if (typeof o.originalCode === "string" && (SQLSTATES.has(o.originalCode) || /^08[0-9A-Z]{3}$/.test(o.originalCode))) return true;
    if (typeof o.kind === "string" && ADAPTER_KINDS.has(o.kind)) return true;
    if (typeof o.message === "string" && MESSAGES.test(o.message) && !code?.startsWith("P2")) return true;
    // Prisma wraps the adapter's error in meta.driverAdapterError; pg and undici chain causes; an
    // AggregateError (several addresses refused) lists them.
    todo.push(o.cause, o.meta, (o.meta as Record<string, unknown> | undefined)?.driverAdapterError);
    if (Array.isArray(o.errors)) todo.push(...o.errors);
  }
  return false;
}

/** Seconds a client should wait before retrying: a restart usually takes a few. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;
