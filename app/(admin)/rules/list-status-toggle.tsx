"use client";

import { Ban, Check } from "lucide-react";
import { useTransition } from "react";
import { toast } from "sonner";
import { cn } from "@/components/ui/cn";
import { toggleRuleAction } from "./list-actions";

/**
 * The Status column: a check mark (enabled) or a circle-backslash (disabled). For admins it is a
 * button that flips the rule; for viewers a labelled icon.
 */
export function RuleStatusToggle({ ruleId, title, enabled, canEdit }: { ruleId: string; title: string; enabled: boolean; canEdit: boolean }) {
  const [pending, startTransition] = useTransition();
  const Icon = enabled ? Check : Ban;
  const icon = <Icon aria-hidden className={cn("h-5 w-5", enabled ? "text-emerald-600" : "text-slate-400")} strokeWidth={enabled ? 2.5 : 2} />;

  if (!canEdit) {
    return (
      <span role="img" aria-label={enabled ? "Enabled" : "Disabled"} title={enabled ? "Enabled" : "Disabled"} className="inline-flex p-1">
        {icon}
      </span>
    );
  }

  function toggle() {
    startTransition(async () => {
      const res = await toggleRuleAction({ ruleId });
      if (!res.ok) {
        toast.error(res.error);
        return;
      }
      toast.success(res.data.enabled ? `Enabled “${res.data.title}”` : `Disabled “${res.data.title}”`);
    });
  }

  return (
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
  );
}
