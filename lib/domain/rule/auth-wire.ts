import { credentialProblem, headerValueProblem } from "@/lib/core/http-text";
import { RESERVED_HEADERS } from "./request";

// Which of a rule's authentication values cannot go into the request as Leadhooks sends it, field
// by field. The Authentication tab's schema (lib/rules/form/credentials.ts) reports them as field
// errors at save, in the form and the API; the sender (lib/delivery/transport/auth/check.ts) runs
// the same list over a stored configuration saved before these checks, and fails the delivery as
// a configuration error.

/** The Authentication tab's field names, with the values the rule's type uses. */
export interface AuthWireFields {
  type: string;
  username?: string;
  password?: string;
  grantType?: string;
  clientId?: string;
  clientSecret?: string;
  scope?: string;
  audience?: string;
  prefix?: string;
  token?: string;
  keyName?: string;
  keyValue?: string;
  keyIn?: string;
}

export interface AuthWireProblem {
  field: "username" | "password" | "clientId" | "clientSecret" | "scope" | "audience" | "prefix" | "token" | "keyName" | "keyValue";
  /** The field's label on the Authentication tab. */
  label: string;
  message: string;
}

export function authWireProblems(a: AuthWireFields): AuthWireProblem[] {
  const out: AuthWireProblem[] = [];
  const check = (field: AuthWireProblem["field"], label: string, problem: string | null, how: string) => {
    if (problem) out.push({ field, label, message: `The ${label.toLowerCase()} ${how}: it ${problem}.` });
  };
  const encoded = (field: AuthWireProblem["field"], label: string) => {
    const v = a[field] ?? "";
    if (v) check(field, label, credentialProblem(v), "cannot be sent");
  };
  const inHeader = (field: AuthWireProblem["field"], label: string) => {
    const v = a[field] ?? "";
    if (v) check(field, label, headerValueProblem(v, "ascii"), "cannot be sent in an HTTP header");
  };
  switch (a.type) {
    case "BASIC":
      encoded("username", "Username");
      // RFC 7617: the user-id is everything before the first colon; one inside it splits it.
      if (a.username?.includes(":")) out.push({ field: "username", label: "Username", message: "A Basic username cannot contain a colon (:): the receiver would read the part after it as the password." });
      encoded("password", "Password");
      break;
    case "DIGEST":
      encoded("username", "Username");
      encoded("password", "Password");
      break;
    case "OAUTH2":
      encoded("clientId", "Client ID");
      encoded("clientSecret", "Client Secret");
      encoded("scope", "Scope");
      encoded("audience", "Audience");
      if (a.grantType === "password") {
        encoded("username", "Username");
        encoded("password", "Password");
      }
      break;
    case "BEARER":
      // The prefix has its own rule (letters, digits, - and _); the token goes into the header as typed.
      inHeader("token", "Token");
      break;
    case "API_KEY":
      // In a header the key is sent as typed; in the query it is percent-encoded, so only controls are refused.
      if (a.keyIn === "query") encoded("keyValue", "Key value");
      else {
        // It would replace the signature or framing headers, or undici would refuse the request.
        if ((RESERVED_HEADERS as readonly string[]).includes((a.keyName ?? "").trim().toLowerCase())) {
          out.push({ field: "keyName", label: "Key name", message: `The API key cannot be sent in the ${a.keyName!.trim()} header: Leadhooks or the HTTP connection sets it. Use another header name.` });
        }
        inHeader("keyValue", "Key value");
      }
      break;
  }
  return out;
}
