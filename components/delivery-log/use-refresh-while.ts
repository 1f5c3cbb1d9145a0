"use client";

import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { POLL_INTERVAL_MS, POLL_LIMIT_MS } from "./polling";

/**
 * While `watching` (a delivery is due and the dispatcher sends it in the background), re-reads
 * the page every 1.5 s, for a minute at most, so the new attempt shows up without a reload.
 */
export function useRefreshWhile(watching: boolean): void {
  const router = useRouter();
  useEffect(() => {
    if (!watching) return;
    const started = Date.now();
    const timer = setInterval(() => {
      if (Date.now() - started > POLL_LIMIT_MS) clearInterval(timer);
      else router.refresh();
    }, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [watching, router]);
}
