"use client";

import { RotateCw } from "lucide-react";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { SigningKey } from "@/components/signing-key";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { revealSigningKeyAction, rotateSigningKeyAction } from "./actions";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";

// A fixed time zone keeps the server-rendered and hydrated text identical.
const formatter = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
export function formatUtc(iso: string): string {
  return `${formatter.format(new Date(iso))} UTC`;
}

export function SigningKeySection({ masked, previousExpiresAt, canEdit }: { masked: string; previousExpiresAt: string[]; canEdit: boolean }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function rotate() {
    startTransition(async () => {
      const res = await rotateSigningKeyAction();
      if (!res.ok) {
        setError(res.error);
        return;
      }
      setConfirming(false);
      toast.success("Signing key rotated");
    });
  }

  return (
    <Card
      title="Webhook verification"
      description="Every delivery carries an HMAC-SHA256 signature made with this key, so receivers can check it came from you."
    >
      <div className="space-y-3">
        <p className="text-sm font-medium text-slate-700">Webhook authentication key</p>
        <div className="flex flex-wrap items-center justify-between gap-3">
          <SigningKey masked={masked} reveal={canEdit ? revealSigningKeyAction : undefined} />
          {canEdit && (
            <Button
              variant="secondary"
              onClick={() => {
                setError(null);
                setConfirming(true);
              }}
            >
              <RotateCw aria-hidden className="h-4 w-4" />
              Rotate
            </Button>
          )}
        </div>
        {previousExpiresAt.map((iso) => (
          <p key={iso} className="text-sm text-slate-600">
            Previous key valid until <time dateTime={iso}>{formatUtc(iso)}</time>
          </p>
        ))}
      </div>
      <ConfirmDialog
        open={confirming}
        title="Rotate the signing key?"
        confirmLabel="Rotate key"
        pendingLabel="Rotating…"
        pending={pending}
        error={error}
        onConfirm={rotate}
        onCancel={() => setConfirming(false)}
      >
        <p>A new key will sign every delivery from now on.</p>
        <p>
          The old key keeps signing too for 24 hours, so receivers can switch to the new key without rejecting deliveries. After that, only the new key
          is used.
        </p>
      </ConfirmDialog>
    </Card>
  );
}
