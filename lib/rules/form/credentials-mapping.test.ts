import { describe, expect, it } from "vitest";
import { DomainError } from "@/lib/core/errors";
import { testAuthConfigs as configs } from "@/lib/domain/rule/testing";
import { emptyAuthForm, type AuthFormValues } from "./credentials";
import { authConfigFromForm, authFormFromConfig } from "./credentials-mapping";

const form = (values: Partial<AuthFormValues>): AuthFormValues => ({ ...emptyAuthForm(), ...values });

function domainError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error("expected a DomainError");
}

describe("form → stored configuration", () => {
  it("requires each secret on a new rule, keyed under auth.", () => {
    const e = domainError(() => authConfigFromForm(form({ type: "BASIC", username: "amy" }), null));
    expect(e.message).toBe("Enter the password.");
    expect(e.fieldErrors).toEqual({ "auth.password": ["Enter the password."] });
    expect(domainError(() => authConfigFromForm(form({ type: "BEARER" }), null)).fieldErrors).toEqual({ "auth.token": ["Enter the token."] });
    expect(domainError(() => authConfigFromForm(form({ type: "API_KEY" }), null)).fieldErrors).toEqual({ "auth.keyValue": ["Enter the key value."] });
    const oauth = domainError(() => authConfigFromForm(form({ type: "OAUTH2", tokenUrl: "https://a/t", clientId: "c", grantType: "password", username: "amy" }), null));
    expect(oauth.fieldErrors).toEqual({ "auth.clientSecret": ["Enter the client secret."], "auth.password": ["Enter the password."] });
  });

  it("keeps a stored secret when its field is left blank, and replaces it when typed", () => {
    const stored = configs[0]!;
    expect(authConfigFromForm(form({ type: "BASIC", username: "bob" }), stored)).toEqual({ type: "BASIC", username: "bob", password: "basic-pw" });
    expect(authConfigFromForm(form({ type: "BASIC", username: "bob", password: "new" }), stored)).toEqual({ type: "BASIC", username: "bob", password: "new" });
    expect(authConfigFromForm(form({ type: "BEARER", prefix: "Token" }), configs[3]!)).toEqual({ type: "BEARER", prefix: "Token", token: "bearer-token" });
    expect(authConfigFromForm(form({ type: "API_KEY", keyName: "k", keyIn: "header" }), configs[4]!)).toEqual({ type: "API_KEY", name: "k", value: "api-key-value", in: "header" });
  });

  it("does not carry a secret over to another authentication type", () => {
    expect(domainError(() => authConfigFromForm(form({ type: "DIGEST", username: "amy" }), configs[0]!)).fieldErrors).toEqual({ "auth.password": ["Enter the password."] });
    expect(domainError(() => authConfigFromForm(form({ type: "API_KEY", keyName: "k" }), configs[3]!)).fieldErrors).toHaveProperty(["auth.keyValue"]);
  });

  it("OAuth 2.0: the client secret survives a grant type change; client credentials store no user", () => {
    const stored = configs[2]!;
    const cc = authConfigFromForm(form({ type: "OAUTH2", tokenUrl: "https://auth.example.com/token", clientId: "c1", grantType: "client_credentials", username: "ignored", scope: "s" }), stored);
    expect(cc).toEqual({ type: "OAUTH2", tokenUrl: "https://auth.example.com/token", grantType: "client_credentials", clientId: "c1", clientSecret: "cs-1-secret", username: "", password: "", scope: "s", audience: "", clientAuth: "basic" });
    // Back to the password grant with blanks: the password was dropped with the user, so it is asked for.
    expect(domainError(() => authConfigFromForm(form({ type: "OAUTH2", tokenUrl: "https://a/t", clientId: "c1", grantType: "password", username: "amy" }), cc)).fieldErrors).toEqual({
      "auth.password": ["Enter the password."],
    });
    // Password grant kept as it was: both secrets kept.
    expect(authConfigFromForm(form({ type: "OAUTH2", tokenUrl: "https://a/t", clientId: "c1", grantType: "password", username: "amy", clientAuth: "body" }), stored)).toMatchObject({ clientSecret: "cs-1-secret", password: "oauth-pw" });
  });

  it("None stores nothing", () => {
    expect(authConfigFromForm(form({ type: "NONE", password: "typed" }), configs[0]!)).toEqual({ type: "NONE" });
  });
});

describe("stored configuration → form", () => {
  it("never returns a secret, and lists which are stored", () => {
    const all = configs.map((c) => authFormFromConfig(c));
    for (const { values } of all) {
      expect([values.password, values.clientSecret, values.token, values.keyValue]).toEqual(["", "", "", ""]);
    }
    expect(all.map((a) => a.storedSecrets)).toEqual([["password"], ["password"], ["clientSecret", "password"], ["token"], ["keyValue"]]);
    expect(JSON.stringify(all)).not.toMatch(/-pw|cs-1-secret|bearer-token|api-key-value/);
  });

  it("shows the non-secret settings as stored (a blank Bearer prefix stays blank)", () => {
    expect(authFormFromConfig(configs[2]!).values).toMatchObject({ type: "OAUTH2", tokenUrl: "https://auth.example.com/token", grantType: "password", clientId: "c1", username: "amy", scope: "a b", audience: "api", clientAuth: "body" });
    expect(authFormFromConfig(configs[3]!).values).toMatchObject({ type: "BEARER", prefix: "" });
    expect(authFormFromConfig(configs[4]!).values).toMatchObject({ type: "API_KEY", keyName: "X-Key", keyIn: "query" });
    expect(authFormFromConfig(null)).toEqual({ values: emptyAuthForm(), storedSecrets: [] });
  });

  it.each(configs)("saving the form untouched keeps $type as it was", (config) => {
    expect(authConfigFromForm(authFormFromConfig(config).values, config)).toEqual(config);
  });
});
