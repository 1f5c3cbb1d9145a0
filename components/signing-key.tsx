"use client";

import { Copy, Eye, EyeOff } from "lucide-react";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import type { ActionResult } from "@/lib/auth/action";

/** Fetches the plain key (the settings page's revealSigningKeyAction, which checks the role again). */
export type RevealSigningKey = () => Promise<ActionResult<{ key: string }>>;

/**
 * The organization's webhook signing key, masked. Given `reveal`, it offers Reveal and Copy: the
 * plain key only reaches the browser through that action. The component does not know the role,
 * so callers pass reveal={user.role === "ADMIN" ? revealSigningKeyAction : undefined}.
 */
export function SigningKey({ masked, reveal }: { masked: string; reveal?: RevealSigningKey }) {
  const [plain, setPlain] = useState<string | null>(null);
  const [revealed, setRevealed] = useState(false);
  const [pending, startTransition] = useTransition();

  // A rotation re-renders the page with a new masked value; a previously fetched key is stale.
  const [maskedSeen, setMaskedSeen] = useState(masked);
  if (maskedSeen !== masked) {
    setMaskedSeen(masked);
    setPlain(null);
    setRevealed(false);
  }

  async function fetchKey(): Promise<string | null> {
    if (plain) return plain;
    if (!reveal) return null;
    const res = await reveal();
    if (!res.ok) {
      toast.error(res.error);
      return null;
    }
    setPlain(res.data.key);
    return res.data.key;
  }

  function toggle() {
    if (revealed) return setRevealed(false);
    startTransition(async () => {
      if (await fetchKey()) setRevealed(true);
    });
  }

  function copy() {
    startTransition(async () => {
      const key = await fetchKey();
      if (!key) return;
      try {
        await navigator.clipboard.writeText(key);
        toast.success("Key copied");
      } catch {
        toast.error("Could not copy to the clipboard. Reveal the key and copy it by hand.");
      }
    });
  }

  return (
    <div className="flex flex-wrap items-center gap-2">
      {/* role="group": <code> may not carry a name of its own without a role that allows one. */}
      <code role="group" className="break-all rounded bg-slate-100 px-2 py-1 font-mono text-xs text-slate-800" aria-label="Webhook authentication key">
        {revealed && plain ? plain : masked}
      </code>
      {reveal && (
        <>
          <Button variant="secondary" size="sm" onClick={toggle} disabled={pending} aria-pressed={revealed}>
            {revealed ? <EyeOff aria-hidden className="h-3.5 w-3.5" /> : <Eye aria-hidden className="h-3.5 w-3.5" />}
            {revealed ? "Hide" : "Reveal"}
          </Button>
          <Button variant="secondary" size="sm" onClick={copy} disabled={pending}>
            <Copy aria-hidden className="h-3.5 w-3.5" />
            Copy
          </Button>
        </>
      )}
    </div>
  );
}
