"use client";

import { BookOpen, LayoutDashboard, ListChecks, LogOut, Menu, Send, Settings, Users, Webhook, X } from "lucide-react";
import { signOut } from "next-auth/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { NotificationsBadge } from "./notifications-badge";
import { cn } from "@/components/ui/cn";

export const NAV_ITEMS = [
  { href: "/dashboard", label: "Dashboard", icon: LayoutDashboard },
  { href: "/rules", label: "Webhook Rules", icon: ListChecks },
  { href: "/deliveries", label: "Deliveries", icon: Send },
  { href: "/leads", label: "Leads", icon: Users },
  { href: "/api-docs", label: "API reference", icon: BookOpen },
  { href: "/settings", label: "Settings", icon: Settings },
];

function Logo({ className }: { className?: string }) {
  return (
    <div className={cn("items-center gap-2 text-brand-700", className)}>
      <Webhook aria-hidden className="h-6 w-6" />
      <span className="text-lg font-semibold tracking-tight">Leadhooks</span>
    </div>
  );
}

/**
 * The sidebar from the md breakpoint (768 px) up. Below it the sidebar would leave the page a
 * sliver, so it folds behind a Menu button in a top bar (a disclosure: the panel follows the
 * button in the tab order) and closes on Escape and on navigation.
 */
export function AdminNav({ user }: { user: { email: string; name: string | null; role: string; organizationName: string } }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);

  // A link followed (or the back button) closes the menu: the new page is what the person asked for.
  useEffect(() => setOpen(false), [pathname]);

  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [open]);

  return (
    <>
      <header className="sticky top-0 z-30 flex h-14 items-center justify-between border-b border-slate-200 bg-white px-4 md:hidden">
        <Logo className="flex" />
        <button
          ref={menuButton}
          type="button"
          aria-expanded={open}
          aria-controls="admin-sidebar"
          onClick={() => setOpen((o) => !o)}
          className="-mr-2 inline-flex items-center gap-1.5 rounded-md px-2.5 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100"
        >
          {open ? <X aria-hidden className="h-5 w-5" /> : <Menu aria-hidden className="h-5 w-5" />}
          Menu
        </button>
      </header>
      {open && <div aria-hidden className="fixed inset-0 top-14 z-20 bg-slate-900/30 md:hidden" onClick={() => setOpen(false)} />}
      <aside
        id="admin-sidebar"
        className={cn(
          "flex-col border-slate-200 bg-white md:sticky md:top-0 md:flex md:h-screen md:w-60 md:shrink-0 md:border-r",
          // On a phone, the open menu drops down under the top bar, over the page.
          open ? "fixed inset-x-0 top-14 z-30 flex max-h-[calc(100dvh-3.5rem)] overflow-y-auto border-b shadow-lg md:max-h-none md:shadow-none" : "hidden",
        )}
      >
        <Logo className="hidden px-5 py-5 md:flex" />
        <p className="px-5 pb-3 pt-4 text-xs font-medium uppercase tracking-wide text-slate-600 md:pt-0" title={user.organizationName}>
          {user.organizationName}
        </p>
        <nav aria-label="Main" className="flex-1 space-y-0.5 px-3">
          {NAV_ITEMS.map(({ href, label, icon: Icon }) => {
            const active = pathname === href || pathname.startsWith(`${href}/`);
            return (
              <Link
                key={href}
                href={href}
                aria-current={active ? "page" : undefined}
                // The current page's link does not change the path: close the menu by hand.
                onClick={() => setOpen(false)}
                className={cn(
                  "flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium",
                  active ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900",
                )}
              >
                <Icon aria-hidden className="h-4 w-4" />
                {label}
              </Link>
            );
          })}
          <NotificationsBadge />
        </nav>
        <div className="mt-3 border-t border-slate-200 px-4 py-4">
          <p className="truncate text-sm font-medium text-slate-900" title={user.email}>
            {user.name || user.email}
          </p>
          <p className="text-xs text-slate-500">{user.role === "ADMIN" ? "Admin" : "Viewer (read only)"}</p>
          <button
            type="button"
            onClick={() => signOut({ redirect: false }).then(() => window.location.assign("/login"))}
            className="mt-3 inline-flex items-center gap-1.5 text-sm text-slate-600 hover:text-slate-900"
          >
            <LogOut aria-hidden className="h-4 w-4" /> Sign out
          </button>
        </div>
      </aside>
    </>
  );
}
