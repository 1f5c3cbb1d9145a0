import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./unavailable";

// Shapes recorded from a real PostgreSQL 15 stopped and restarted under Prisma 7 + @prisma/adapter-pg
// (tests/integration/api-db-outage.test.ts drives the real thing end to end).
const adapterError = (cause: Record<string, unknown>, code = "P2039") =>
  Object.assign(new Error("Invalid `prisma.lead.create()` invocation"), { name: "PrismaClientKnownRequestError", code, meta: { driverAdapterError: { name: "DriverAdapterError", cause } } });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["a pooled connection the server shut down (57P01)", adapterError({ originalCode: "57P01", kind: "postgres", code: "57P01", severity: "FATAL", message: "terminating connection due to administrator command" })],
    ["a server still starting (57P03)", adapterError({ originalCode: "57P03", kind: "postgres", code: "57P03", severity: "FATAL", message: "the database system is starting up" })],
    ["an unreachable server (P1001)", adapterError({ kind: "DatabaseNotReachable", host: "127.0.0.1", port: 5432 }, "P1001")],
    ["a closed connection", adapterError({ kind: "ConnectionClosed" }, "P1017")],
    ["a connection exception (class 08)", adapterError({ originalCode: "08006", kind: "postgres", code: "08006", message: "connection failure" })],
    ["pg refusing while the database opens", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED", errno: -111 })],
    ["several addresses refused", new AggregateError([Object.assign(new Error("connect ECONNREFUSED ::1:5432"), { code: "ECONNREFUSED" })])],
    ["pg's dropped connection", new Error("Connection terminated unexpectedly")],
    ["a connection that went unanswered (pg's query_timeout)", new Error("Query read timeout")],
    ["the pool timing out", Object.assign(new Error("Timed out fetching a new connection from the connection pool."), { code: "P2024" })],
    ["a cause chain", new Error("query failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) })],
  ])("%s: yes", (_label, err) => expect(isDatabaseUnavailable(err)).toBe(true));

  it.each([
    ["a unique violation", Object.assign(new Error("Unique constraint failed"), { code: "P2002" })],
    ["a constraint the data broke", adapterError({ originalCode: "23503", kind: "postgres", code: "23503", message: "violates foreign key constraint" })],
    ["a bad value", adapterError({ originalCode: "22P05", kind: "postgres", code: "22P05", message: "unsupported Unicode escape sequence" })],
    ["a plain bug", new TypeError("Cannot read properties of undefined")],
    ["a statement the server cancelled for running too long (57014)", adapterError({ originalCode: "57014", kind: "postgres", code: "57014", message: "canceling statement due to statement timeout" })],
    ["not an error", "ECONNREFUSED"],
    ["nothing", undefined],
  ])("%s: no", (_label, err) => expect(isDatabaseUnavailable(err)).toBe(false));
});
