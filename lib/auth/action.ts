import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { database } from "@/lib/db";
import type { Sql } from "@/lib/db/sql";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { DomainError, ForbiddenError, NotFoundError, UnauthenticatedError } from "@/lib/core/errors";
import { fieldErrorsOf, type FieldErrors } from "@/lib/core/field-errors";
import { unstorableValues } from "@/lib/core/storable";
import { getSessionUser, type SessionUser } from "./session";

export type { FieldErrors };

export type ActionResult<T = null> =
  | { ok: true; data: T; message?: string }
  | { ok: false; error: string; fieldErrors?: FieldErrors; code: "invalid" | "unauthenticated" | "forbidden" | "not_found" | "conflict" | "error" };

export interface ActionContext {
  user: SessionUser;
  organizationId: string;
  prisma: PrismaClient;
  /** Plain SQL (creating a lead writes it with its event and deliveries in one statement). */
  sql: Sql;
}

/**
 * Field errors for input the database cannot hold (NUL, lone surrogates, dates outside
 * 0001–9999), wherever it sits in the input; null when there is none. Checked before any schema,
 * so no form or field can forget it.
 */
export function unstorableFieldErrors(input: unknown): FieldErrors | null {
  const found = unstorableValues(input);
  return found.length ? fieldErrorsOf(found, "_form") : null;
}

export function failure(err: unknown): Extract<ActionResult, { ok: false }> {
  if (err instanceof UnauthenticatedError) return { ok: false, code: "unauthenticated", error: err.message };
  if (err instanceof ForbiddenError) return { ok: false, code: "forbidden", error: err.message };
  if (err instanceof NotFoundError) return { ok: false, code: "not_found", error: "Not found." };
  if (err instanceof DomainError) return { ok: false, code: "conflict", error: err.message, fieldErrors: err.fieldErrors };
  if (isDatabaseUnavailable(err)) return { ok: false, code: "error", error: "The database is not reachable right now (it may be restarting). Nothing was saved: please try again in a moment." };
  console.error("Unexpected error in server action:", err);
  return { ok: false, code: "error", error: "Something went wrong. Please try again." };
}

/**
 * Every server action goes through here: it authenticates, checks the role, refuses input the
 * database cannot hold, validates the input with the same zod schema the form uses, and hands the handler a context scoped to the user's
 * organization. No action can skip a step.
 */
export function authedAction<S extends z.ZodType, T>(
  options: { schema: S; role: "ADMIN" | "VIEWER" },
  handler: (input: z.output<S>, ctx: ActionContext) => Promise<T>,
): (input: z.input<S>) => Promise<ActionResult<T>> {
  return async (input) => {
    try {
      const user = await getSessionUser();
      if (!user) throw new UnauthenticatedError();
      if (options.role === "ADMIN" && user.role !== "ADMIN") throw new ForbiddenError();
      const unstorable = unstorableFieldErrors(input);
      if (unstorable) return { ok: false, code: "invalid", error: "Please correct the highlighted fields.", fieldErrors: unstorable };
      const parsed = options.schema.safeParse(input);
      if (!parsed.success) {
        return { ok: false, code: "invalid", error: "Please correct the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error.issues, "_form") };
      }
      const { prisma, sql } = await database();
      const data = await handler(parsed.data, { user, organizationId: user.organizationId, prisma, sql });
      return { ok: true, data };
    } catch (err) {
      return failure(err);
    }
  };
}

/** For server components and route handlers: the user or an error to map to 401/403. */
export async function requireUser(role: "ADMIN" | "VIEWER" = "VIEWER"): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) throw new UnauthenticatedError();
  if (role === "ADMIN" && user.role !== "ADMIN") throw new ForbiddenError();
  return user;
}

/** For route handlers: the signed-in user's organization id, or the 401/403 answer to return. */
export async function routeOrganizationId(role: "ADMIN" | "VIEWER" = "VIEWER"): Promise<string | Response> {
  try {
    return (await requireUser(role)).organizationId;
  } catch (err) {
    if (err instanceof UnauthenticatedError) return Response.json({ error: err.message }, { status: 401 });
    if (err instanceof ForbiddenError) return Response.json({ error: err.message }, { status: 403 });
    throw err;
  }
}
