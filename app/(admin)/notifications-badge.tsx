"use client";

import { Bell } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useState } from "react";
import { unreadNotificationsCountAction } from "./notifications/actions";
import { cn } from "@/components/ui/cn";

/** Dispatched on window after notifications are marked read, so the count updates at once. */
export const NOTIFICATIONS_CHANGED = "leadhooks:notifications-changed";
const POLL_MS = 60_000;

/**
 * The navigation's "Notifications" link with the number of unread notifications. It reads the
 * count itself (on each navigation, when told of a change, and every minute while the tab is
 * visible) so the navigation needs no data of its own.
 */
export function NotificationsBadge() {
  const pathname = usePathname();
  const [unread, setUnread] = useState<number | null>(null);
  const active = pathname === "/notifications" || pathname.startsWith("/notifications/");

  useEffect(() => {
    let cancelled = false;
    const refresh = () => {
      if (document.visibilityState !== "visible") return;
      unreadNotificationsCountAction()
        .then((res) => {
          if (!cancelled && res.ok) setUnread(res.data.count);
        })
        .catch(() => {}); // offline or signed out: keep the last count
    };
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    window.addEventListener(NOTIFICATIONS_CHANGED, refresh);
    document.addEventListener("visibilitychange", refresh);
    return () => {
      cancelled = true;
      clearInterval(timer);
      window.removeEventListener(NOTIFICATIONS_CHANGED, refresh);
      document.removeEventListener("visibilitychange", refresh);
    };
  }, [pathname]);

  const count = unread ? (unread > 99 ? "99+" : String(unread)) : null;
  return (
    <Link
      href="/notifications"
      aria-current={active ? "page" : undefined}
      className={cn(
        "flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium",
        active ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900",
      )}
    >
      <Bell aria-hidden className="h-4 w-4" />
      Notifications
      {count && (
        <span className="ml-auto rounded-full bg-red-600 px-1.5 py-0.5 text-xs font-semibold leading-none text-white">
          {count}
          <span className="sr-only"> unread</span>
        </span>
      )}
    </Link>
  );
}
