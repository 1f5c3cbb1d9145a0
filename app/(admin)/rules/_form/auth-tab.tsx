"use client";

import { useWatch } from "react-hook-form";
import { describedBy, Field, Input } from "@/components/ui/field";
import { AUTH_TYPES, type AuthTypeValue } from "@/lib/domain/rule/auth";
import { API_KEY_LOCATIONS, OAUTH_CLIENT_AUTH, OAUTH_GRANT_TYPES, type SecretField } from "@/lib/rules/form/credentials";
import { fieldId, useFieldError } from "@/components/ui/form-fields";
import { SelectField, TextField, useRuleForm } from "./fields";
import { RuleFormSection } from "./tabs";
import { TestConnection, type LastTest, type TestConnectionProps } from "./test-connection";
import { TestSend } from "./test-send";

export type { LastTest };

/**
 * The "Authentication" tab: the type, the fields that type uses, and Test Connection. Fields of
 * other types are not shown but keep their values, so switching back and forth loses nothing.
 */
export function RuleFormAuthTab({
  idPrefix,
  storedSecrets,
  savedType,
  test,
}: {
  idPrefix: string;
  /** The secrets the saved rule holds (they are never sent to the browser). */
  storedSecrets: readonly SecretField[];
  /** The saved rule's type: its stored secrets only stand for the same type. */
  savedType: AuthTypeValue;
  test: TestConnectionProps;
}) {
  const { control } = useRuleForm();
  const type = useWatch({ control, name: "auth.type" }) ?? "NONE";
  const grantType = useWatch({ control, name: "auth.grantType" }) ?? "client_credentials";
  const stored = (field: SecretField) => type === savedType && storedSecrets.includes(field);
  const p = idPrefix;

  return (
    <>
      <RuleFormSection
        id={`${p}-auth-heading`}
        title="Authentication"
        description="How Leadhooks proves who it is to the endpoint. Secrets are encrypted when saved and never shown again."
      >
        <SelectField name="auth.type" label="Authentication Type" idPrefix={p} options={AUTH_TYPES} className="max-w-sm" />

        {(type === "BASIC" || type === "DIGEST") && (
          <>
            <TextField name="auth.username" label="Username" idPrefix={p} />
            <SecretInput name="auth.password" label="Password" idPrefix={p} stored={stored("password")} />
          </>
        )}

        {type === "OAUTH2" && (
          <>
            <TextField name="auth.tokenUrl" label="Token URL" idPrefix={p} type="url" inputMode="url" placeholder="https://auth.example.com/oauth/token" />
            <SelectField name="auth.grantType" label="Grant Type" idPrefix={p} options={OAUTH_GRANT_TYPES} className="max-w-sm" />
            <TextField name="auth.clientId" label="Client ID" idPrefix={p} />
            <SecretInput name="auth.clientSecret" label="Client Secret" idPrefix={p} stored={stored("clientSecret")} />
            {grantType === "password" && (
              <>
                <TextField name="auth.username" label="Username" idPrefix={p} />
                <SecretInput name="auth.password" label="Password" idPrefix={p} stored={stored("password")} />
              </>
            )}
            <TextField name="auth.scope" label="Scope" idPrefix={p} hint="Space-separated, as the token endpoint expects. Optional." />
            <TextField name="auth.audience" label="Audience (optional)" idPrefix={p} />
            <SelectField name="auth.clientAuth" label="Client authentication" idPrefix={p} options={OAUTH_CLIENT_AUTH} hint="How the client ID and secret are sent to the token endpoint." />
          </>
        )}

        {type === "BEARER" && (
          <>
            <TextField name="auth.prefix" label="Prefix" idPrefix={p} className="max-w-xs" hint='Sent before the token: "Bearer" unless the endpoint says otherwise.' />
            <SecretInput name="auth.token" label="Token" idPrefix={p} stored={stored("token")} />
          </>
        )}

        {type === "API_KEY" && (
          <>
            <TextField name="auth.keyName" label="Key name" idPrefix={p} hint="The header or query parameter name, e.g. X-API-Key or api_key." />
            <SecretInput name="auth.keyValue" label="Key value" idPrefix={p} stored={stored("keyValue")} />
            <SelectField name="auth.keyIn" label="Send as" idPrefix={p} options={API_KEY_LOCATIONS} className="max-w-xs" />
          </>
        )}

        {type === "NONE" && <p className="text-sm text-slate-500">The endpoint needs no credentials (the request is still signed).</p>}
      </RuleFormSection>

      <TestConnection {...test} />
      {test.ruleId && !test.readOnly && <TestSend idPrefix={test.idPrefix} ruleId={test.ruleId} />}
    </>
  );
}

/** A password box that never holds the saved secret: blank keeps it, typing replaces it. */
function SecretInput({ name, label, idPrefix, stored }: { name: `auth.${SecretField}`; label: string; idPrefix: string; stored: boolean }) {
  const { register } = useRuleForm();
  const id = fieldId(idPrefix, name);
  const error = useFieldError(name);
  const hint = stored ? "Leave blank to keep the saved value." : undefined;
  return (
    <Field label={label} htmlFor={id} hint={hint} error={error}>
      <Input
        id={id}
        type="password"
        // "new-password": the browser must not fill in the admin's own saved login here.
        autoComplete="new-password"
        spellCheck={false}
        placeholder={stored ? "•••• set" : undefined}
        aria-invalid={!!error}
        aria-describedby={describedBy(id, error, !!hint)}
        {...register(name)}
      />
    </Field>
  );
}
