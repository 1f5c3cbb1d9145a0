"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Check, Copy, KeyRound } from "lucide-react";
import { useRef, useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { formatUtc } from "@/lib/core/format";
import { SimpleTable, type SimpleColumn } from "@/components/data-table";
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
        <SimpleTable
          caption="API keys of the organization"
          columns={isAdmin ? [...COLUMNS, ACTIONS] : COLUMNS}
          rows={keys}
          getRowId={(k) => k.id}
          empty={<p className="text-sm text-slate-500">No API keys yet.</p>}
          className="-mx-5 -mt-4"
        />
        {created && <NewKeyPanel name={created.name} plainKey={created.key} onDone={() => setCreated(null)} />}
        {isAdmin && <CreateApiKeyForm onCreated={setCreated} />}
      </div>
    </Card>
  );
}

/** Revoked keys read dimmed. */
const dim = (k: ApiKeyListItem) => (k.revokedAt !== null ? "text-slate-500" : undefined);

const COLUMNS: SimpleColumn<ApiKeyListItem>[] = [
  { header: "Name", cell: (k) => <span className="font-medium text-slate-900">{k.name}</span> },
  { header: "Key", className: "font-mono text-xs", cell: (k) => <span className={dim(k)}>{k.prefix}…</span> },
  { header: "Created", className: "text-xs whitespace-nowrap", cell: (k) => <span className={dim(k)}>{formatUtc(k.createdAt)}</span> },
  { header: "Last used", className: "text-xs whitespace-nowrap", cell: (k) => <span className={dim(k)}>{k.lastUsedAt ? formatUtc(k.lastUsedAt) : "Never"}</span> },
  { header: "Status", cell: (k) => (k.revokedAt !== null ? <Badge tone="gray">Revoked</Badge> : <Badge tone="green">Active</Badge>) },
];

const ACTIONS: SimpleColumn<ApiKeyListItem> = { header: "Actions", headerHidden: true, className: "text-right whitespace-nowrap", cell: (k) => (k.revokedAt === null ? <RevokeApiKey apiKey={k} /> : null) };

function RevokeApiKey({ apiKey }: { apiKey: ApiKeyListItem }) {
  const [confirm, setConfirm] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function revoke() {
    startTransition(async () => {
      const res = await revokeApiKeyAction({ id: apiKey.id });
      if (!res.ok) return setError(res.error);
      setConfirm(false);
      toast.success(`API key “${apiKey.name}” revoked`);
    });
  }

  return (
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
