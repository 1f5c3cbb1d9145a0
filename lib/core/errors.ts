/** Thrown when a record does not exist or belongs to another organization: both look the same. */
export class NotFoundError extends Error {
  constructor(what = "Not found") {
    super(what);
  }
}

/** A rule of the domain that the user can fix (shown to them as is). */
export class DomainError extends Error {
  constructor(
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

export class ForbiddenError extends Error {
  constructor(message = "Your role does not allow this action.") {
    super(message);
  }
}

export class UnauthenticatedError extends Error {
  constructor(message = "Sign in to continue.") {
    super(message);
  }
}
