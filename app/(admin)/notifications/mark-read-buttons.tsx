"use client";

import { CheckCheck } from "lucide-react";
import { useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { NOTIFICATIONS_CHANGED } from "../notifications-badge";
import { markAllNotificationsReadAction, markNotificationReadAction } from "./actions";

// After a change the badge in the navigation re-reads its count (it listens for this event).
const announce = () => window.dispatchEvent(new Event(NOTIFICATIONS_CHANGED));

export function MarkReadButton({ id, title }: { id: string; title: string }) {
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="ghost"
      size="sm"
      disabled={pending}
      onClick={() =>
        startTransition(async () => {
          const res = await markNotificationReadAction({ id });
          if (!res.ok) toast.error(res.error);
          else announce();
        })
      }
    >
      Mark as read<span className="sr-only">: {title}</span>
    </Button>
  );
}

export function MarkAllReadButton({ unread }: { unread: number }) {
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="secondary"
      disabled={pending || unread === 0}
      onClick={() =>
        startTransition(async () => {
          const res = await markAllNotificationsReadAction();
          if (!res.ok) toast.error(res.error);
          else {
            toast.success(`${res.data.count} marked as read`);
            announce();
          }
        })
      }
    >
      <CheckCheck aria-hidden className="h-4 w-4" />
      Mark all as read
    </Button>
  );
}
