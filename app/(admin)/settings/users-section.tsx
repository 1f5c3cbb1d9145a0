"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { OrganizationUser } from "@/lib/users/queries";
import { AddUserForm } from "./add-user-form";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { changeUserRoleAction, removeUserAction } from "./user-actions";

export function UsersSection({ users, currentUserId, canEdit }: { users: OrganizationUser[]; currentUserId: string; canEdit: boolean }) {
  return (
    <Card title="Users" description="Admins manage rules and settings; viewers can see everything but change nothing.">
      <div className="space-y-4">
        <div className="relative overflow-x-auto">
          <table className="min-w-full text-left text-sm">
            <caption className="sr-only">Users of the organization</caption>
            <thead className="border-b border-slate-200 text-xs font-medium uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="py-2 pr-4">Email</th>
                <th scope="col" className="py-2 pr-4">Name</th>
                <th scope="col" className="py-2 pr-4">Role</th>
                {canEdit && (
                  <th scope="col" className="py-2 text-right">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users.map((user) => (
                <UserRow key={user.id} user={user} isSelf={user.id === currentUserId} canEdit={canEdit} />
              ))}
            </tbody>
          </table>
        </div>
        {canEdit && <AddUserForm />}
      </div>
    </Card>
  );
}

function UserRow({ user, isSelf, canEdit }: { user: OrganizationUser; isSelf: boolean; canEdit: boolean }) {
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const nextRole = user.role === "ADMIN" ? "VIEWER" : "ADMIN";

  function changeRole() {
    startTransition(async () => {
      const res = await changeUserRoleAction({ id: user.id, role: nextRole });
      if (!res.ok) return void toast.error(res.error);
      toast.success(`${user.email} is now ${nextRole === "ADMIN" ? "an admin" : "a viewer"}`);
    });
  }

  function remove() {
    startTransition(async () => {
      const res = await removeUserAction({ id: user.id });
      if (!res.ok) return setRemoveError(res.error);
      setConfirmRemove(false);
      toast.success(`${user.email} removed`);
    });
  }

  return (
    <tr>
      <td className="py-2 pr-4 text-slate-900">
        {user.email}
        {isSelf && <span className="ml-2 text-xs text-slate-500">(you)</span>}
      </td>
      <td className="py-2 pr-4 text-slate-700">{user.name || <span className="text-slate-500">—</span>}</td>
      <td className="py-2 pr-4">
        <Badge tone={user.role === "ADMIN" ? "blue" : "gray"}>{user.role === "ADMIN" ? "Admin" : "Viewer"}</Badge>
      </td>
      {canEdit && (
        <td className="py-2 text-right whitespace-nowrap">
          <Button variant="ghost" size="sm" disabled={pending} onClick={changeRole}>
            {nextRole === "ADMIN" ? "Make admin" : "Make viewer"}
            <span className="sr-only"> {user.email}</span>
          </Button>
          {!isSelf && (
            <Button
              variant="ghost"
              size="sm"
              className="text-red-600 hover:bg-red-50 hover:text-red-700"
              onClick={() => {
                setRemoveError(null);
                setConfirmRemove(true);
              }}
            >
              Remove
              <span className="sr-only"> {user.email}</span>
            </Button>
          )}
          <ConfirmDialog
            open={confirmRemove}
            title={`Remove ${user.email}?`}
            confirmLabel="Remove user"
            pendingLabel="Removing…"
            pending={pending}
            error={removeError}
            onConfirm={remove}
            onCancel={() => setConfirmRemove(false)}
          >
            <p>They will be signed out and can no longer sign in to this organization.</p>
          </ConfirmDialog>
        </td>
      )}
    </tr>
  );
}
