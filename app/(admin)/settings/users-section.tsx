"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";
import { SimpleTable, type SimpleColumn } from "@/components/data-table";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import type { OrganizationUser } from "@/lib/users/queries";
import { AddUserForm } from "./add-user-form";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { changeUserRoleAction, removeUserAction } from "./user-actions";

interface UserRow {
  user: OrganizationUser;
  isSelf: boolean;
}

const COLUMNS: SimpleColumn<UserRow>[] = [
  {
    header: "Email",
    cell: ({ user, isSelf }) => (
      <>
        <span className="text-slate-900">{user.email}</span>
        {isSelf && <span className="ml-2 text-xs text-slate-500">(you)</span>}
      </>
    ),
  },
  { header: "Name", cell: ({ user }) => user.name || <span className="text-slate-500">—</span> },
  { header: "Role", cell: ({ user }) => <Badge tone={user.role === "ADMIN" ? "blue" : "gray"}>{user.role === "ADMIN" ? "Admin" : "Viewer"}</Badge> },
];

const ACTIONS: SimpleColumn<UserRow> = { header: "Actions", headerHidden: true, className: "text-right whitespace-nowrap", cell: (row) => <UserActions {...row} /> };

export function UsersSection({ users, currentUserId, canEdit }: { users: OrganizationUser[]; currentUserId: string; canEdit: boolean }) {
  const rows = users.map((user) => ({ user, isSelf: user.id === currentUserId }));
  return (
    <Card title="Users" description="Admins manage rules and settings; viewers can see everything but change nothing.">
      <div className="space-y-4">
        <SimpleTable caption="Users of the organization" columns={canEdit ? [...COLUMNS, ACTIONS] : COLUMNS} rows={rows} getRowId={({ user }) => user.id} className="-mx-5 -mt-4" />
        {canEdit && <AddUserForm />}
      </div>
    </Card>
  );
}

function UserActions({ user, isSelf }: UserRow) {
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
    <>
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
    </>
  );
}
