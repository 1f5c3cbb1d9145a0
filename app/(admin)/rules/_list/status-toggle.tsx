"use client";

import { Ban, Check } from "lucide-react";
import { useId, useState, useTransition } from "react";
import { toast } from "sonner";
import { cn } from "@/components/ui/cn";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { toggleRuleAction } from "./actions";
import { enablePreviewAction, enableRuleAction } from "../reenable-actions";

const deliveries = (n: number) => `${n} ${n === 1 ? "delivery" : "deliveries"}`;

interface Offer {
  title: string;
  disabledReason: string | null;
  replayCount: number;
}

/**
 * The Status column: a check mark (enabled) or a circle-backslash (disabled). For admins it is a
 * button that flips the rule; for viewers a labelled icon. Enabling a rule whose deliveries failed
 * or were skipped while it was down first asks whether to replay them, in the same click.
 */
export function RuleStatusToggle({ ruleId, title, enabled, canEdit }: { ruleId: string; title: string; enabled: boolean; canEdit: boolean }) {
  const [pending, startTransition] = useTransition();
  const [offer, setOffer] = useState<Offer | null>(null);
  const [replay, setReplay] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const checkboxId = useId();
  const Icon = enabled ? Check : Ban;
  const icon = <Icon aria-hidden className={cn("h-5 w-5", enabled ? "text-emerald-600" : "text-slate-400")} strokeWidth={enabled ? 2.5 : 2} />;

  if (!canEdit) {
    return (
      <span role="img" aria-label={enabled ? "Enabled" : "Disabled"} title={enabled ? "Enabled" : "Disabled"} className="inline-flex p-1">
        {icon}
      </span>
    );
  }

  async function enable(withReplay: boolean): Promise<boolean> {
    const res = await enableRuleAction({ ruleId, replay: withReplay });
    if (!res.ok) {
      setError(res.error);
      toast.error(res.error);
      return false;
    }
    toast.success(res.data.replayed ? `Enabled “${res.data.title}”; ${deliveries(res.data.replayed)} queued for replay` : `Enabled “${res.data.title}”`);
    return true;
  }

  function toggle() {
    startTransition(async () => {
      if (enabled) {
        const res = await toggleRuleAction({ ruleId });
        if (!res.ok) toast.error(res.error);
        else toast.success(`Disabled “${res.data.title}”`);
        return;
      }
      const preview = await enablePreviewAction({ ruleId });
      if (!preview.ok) {
        toast.error(preview.error);
        return;
      }
      if (preview.data.enabled || preview.data.replayCount === 0) {
        await enable(false);
        return;
      }
      setError(null);
      setReplay(true);
      setOffer({ title: preview.data.title, disabledReason: preview.data.disabledReason, replayCount: preview.data.replayCount });
    });
  }

  function confirm() {
    startTransition(async () => {
      if (await enable(replay)) setOffer(null);
    });
  }

  return (
    <>
      <button
        type="button"
        onClick={toggle}
        disabled={pending}
        aria-label={`${enabled ? "Disable" : "Enable"} rule ${title}`}
        title={enabled ? "Enabled — click to disable" : "Disabled — click to enable"}
        className="inline-flex rounded-md p-1 hover:bg-slate-100 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500 disabled:opacity-50"
      >
        {icon}
      </button>
      <ConfirmDialog
        open={offer !== null}
        title={`Enable “${offer?.title ?? title}”?`}
        confirmLabel={replay && offer ? `Enable and replay ${offer.replayCount}` : "Enable only"}
        pendingLabel="Enabling…"
        pending={pending}
        error={error}
        tone="primary"
        onConfirm={confirm}
        onCancel={() => setOffer(null)}
      >
        {offer?.disabledReason && <p>{offer.disabledReason.replace(/\.$/, "")}.</p>}
        <p>
          {offer && deliveries(offer.replayCount)} failed or {offer?.replayCount === 1 ? "was" : "were"} skipped while it was down. Replaying sends each one again with its original
          request and delivery id, so receivers can recognise a repeat.
        </p>
        <div className="flex items-start gap-2 pt-1">
          <input
            id={checkboxId}
            type="checkbox"
            checked={replay}
            onChange={(e) => setReplay(e.target.checked)}
            className="mt-0.5 h-4 w-4 shrink-0 rounded border-slate-300 accent-brand-600 focus-visible:outline-2 focus-visible:outline-brand-500"
          />
          <label htmlFor={checkboxId} className="font-medium text-slate-700">
            Replay the {offer && deliveries(offer.replayCount)} that failed or {offer?.replayCount === 1 ? "was" : "were"} skipped while it was down
          </label>
        </div>
      </ConfirmDialog>
    </>
  );
}
