"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Check, Copy, KeyRound } from "lucide-react";
import { useRef, useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { formatUtc } from "@/lib/core/format";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { describedBy, Field, Input, inputClass } from "@/components/ui/field";
import { apiKeyNameSchema, type ApiKeyNameInput } from "@/lib/api/key-schema";
import { createApiKeyAction, revokeApiKeyAction } from "./api-key-actions";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { applyResult } from "@/components/ui/form-errors";

/** One row of `listApiKeys(prisma, organizationId)` (lib/api/keys.ts): never the key itself. */
export interface ApiKeyListItem {
  id: string;
  name: string;
  /** The key's first characters, e.g. "lhk_AbCd1234". */
  prefix: string;
  createdAt: Date | string;
  lastUsedAt: Date | string | null;
  revokedAt: Date | string | null;
}

export interface ApiKeysSectionProps {
  keys: ApiKeyListItem[];
  /** Admins create and revoke keys; viewers see the list only. */
  isAdmin: boolean;
}

export function ApiKeysSection({ keys, isAdmin }: ApiKeysSectionProps) {
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  return (
    <Card title="API keys" description="Keys for the REST API (Authorization: Bearer lhk_…). A key acts for this organization only.">
      <div className="space-y-4">
        {keys.length === 0 ? (
          <p className="text-sm text-slate-500">No API keys yet.</p>
        ) : (
          <div className="relative overflow-x-auto">
            <table className="min-w-full text-left text-sm">
              <caption className="sr-only">API keys of the organization</caption>
              <thead className="border-b border-slate-200 text-xs font-medium uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-4">Name</th>
                  <th scope="col" className="py-2 pr-4">Key</th>
                  <th scope="col" className="py-2 pr-4">Created</th>
                  <th scope="col" className="py-2 pr-4">Last used</th>
                  <th scope="col" className="py-2 pr-4">Status</th>
                  {isAdmin && (
                    <th scope="col" className="py-2 text-right">
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {keys.map((k) => (
                  <ApiKeyRow key={k.id} apiKey={k} isAdmin={isAdmin} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {created && <NewKeyPanel name={created.name} plainKey={created.key} onDone={() => setCreated(null)} />}
        {isAdmin && <CreateApiKeyForm onCreated={setCreated} />}
      </div>
    </Card>
  );
}

function ApiKeyRow({ apiKey, isAdmin }: { apiKey: ApiKeyListItem; isAdmin: boolean }) {
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const revoked = apiKey.revokedAt !== null;

  function revoke() {
    startTransition(async () => {
      const res = await revokeApiKeyAction({ id: apiKey.id });
      if (!res.ok) return setError(res.error);
      setConfirm(false);
      toast.success(`API key “${apiKey.name}” revoked`);
    });
  }

  return (
    <tr className={revoked ? "text-slate-500" : undefined}>
      <td className="py-2 pr-4 font-medium text-slate-900">{apiKey.name}</td>
      <td className="py-2 pr-4 font-mono text-xs">{apiKey.prefix}…</td>
      <td className="py-2 pr-4 text-xs whitespace-nowrap">{formatUtc(apiKey.createdAt)}</td>
      <td className="py-2 pr-4 text-xs whitespace-nowrap">{apiKey.lastUsedAt ? formatUtc(apiKey.lastUsedAt) : "Never"}</td>
      <td className="py-2 pr-4">{revoked ? <Badge tone="gray">Revoked</Badge> : <Badge tone="green">Active</Badge>}</td>
      {isAdmin && (
        <td className="py-2 text-right whitespace-nowrap">
          {!revoked && (
            <>
              <Button
                variant="ghost"
                size="sm"
                className="text-red-600 hover:bg-red-50 hover:text-red-700"
                onClick={() => {
                  setError(null);
                  setConfirm(true);
                }}
              >
                Revoke<span className="sr-only"> {apiKey.name}</span>
              </Button>
              <ConfirmDialog
                open={confirm}
                title={`Revoke “${apiKey.name}”?`}
                confirmLabel="Revoke key"
                pendingLabel="Revoking…"
                pending={pending}
                error={error}
                onConfirm={revoke}
                onCancel={() => setConfirm(false)}
              >
                <p>Requests that use this key will be refused from now on. This cannot be undone; create a new key if the system still needs access.</p>
              </ConfirmDialog>
            </>
          )}
        </td>
      )}
    </tr>
  );
}

function NewKeyPanel({ name, plainKey, onDone }: { name: string; plainKey: string; onDone: () => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);

  async function copy() {
    try {
      await navigator.clipboard.writeText(plainKey);
      setCopied(true);
      toast.success("API key copied");
    } catch {
      // No clipboard permission (e.g. plain http): select it so Ctrl+C works.
      inputRef.current?.select();
      toast.info("Select the key and copy it with Ctrl+C / Cmd+C");
    }
  }

  return (
    <section aria-labelledby="new-api-key-heading" className="space-y-3 rounded-md bg-emerald-50 px-4 py-3 ring-1 ring-inset ring-emerald-600/20">
      <h3 id="new-api-key-heading" className="flex items-center gap-2 text-sm font-semibold text-emerald-900">
        <KeyRound aria-hidden className="h-4 w-4" />
        API key “{name}” created
      </h3>
      <p className="text-sm font-medium text-emerald-900">Copy this key now. You won&apos;t be able to see it again.</p>
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor="new-api-key" className="sr-only">
          New API key
        </label>
        <input id="new-api-key" ref={inputRef} readOnly value={plainKey} onFocus={(e) => e.currentTarget.select()} className={`${inputClass} max-w-xl flex-1 font-mono text-xs`} />
        <Button variant="secondary" onClick={copy}>
          {copied ? <Check aria-hidden className="h-4 w-4" /> : <Copy aria-hidden className="h-4 w-4" />}
          {copied ? "Copied" : "Copy"}
        </Button>
        <Button variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
    </section>
  );
}

function CreateApiKeyForm({ onCreated }: { onCreated: (created: { name: string; key: string }) => void }) {
  const { register, handleSubmit, setError, reset, formState } = useForm<ApiKeyNameInput>({ resolver: zodResolver(apiKeyNameSchema), defaultValues: { name: "" } });
  const { errors, isSubmitting } = formState;
  const error = errors.name?.message;

  const onSubmit = handleSubmit(async (values) => {
    const res = await createApiKeyAction(values);
    if (!applyResult(res, setError, ["name"])) return;
    onCreated({ name: res.data.name, key: res.data.key });
    toast.success(`API key “${res.data.name}” created`);
    reset({ name: "" });
  });

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Create an API key" className="flex flex-wrap items-start gap-3 border-t border-slate-200 pt-4">
      <Field label="Key name" htmlFor="api-key-name" hint="Which system uses it, e.g. “Website form”." error={error} className="min-w-64 flex-1">
        <Input id="api-key-name" autoComplete="off" aria-invalid={!!error} aria-describedby={describedBy("api-key-name", error, true)} {...register("name")} />
      </Field>
      <Button type="submit" disabled={isSubmitting} className="mt-6.5">
        {isSubmitting ? "Creating…" : "Create API key"}
      </Button>
    </form>
  );
}
