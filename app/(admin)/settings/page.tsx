import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { listApiKeys } from "@/lib/api/keys";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { getSigningKeyStatus } from "@/lib/signing/organization-keys";
import { getReferenceLists } from "@/lib/reference/queries";
import { listUsers } from "@/lib/users/queries";
import { ApiKeysSection } from "./api-keys-section";
import { AutoDisableSection } from "./auto-disable-section";
import { OrganizationForm } from "./organization-form";
import { ReferenceListsSection } from "./reference-lists-section";
import { SigningKeySection } from "./signing-key-section";
import { UsersSection } from "./users-section";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  const prisma = await db();
  const organizationId = user.organizationId;
  const [org, key, lists, users, apiKeys] = await Promise.all([
    prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { name: true, webhooksEnabled: true } }),
    // Only the masked key and expiry times leave the server; the plain key needs revealSigningKeyAction.
    getSigningKeyStatus(prisma, organizationId),
    getReferenceLists(prisma, organizationId),
    listUsers(prisma, organizationId),
    listApiKeys(prisma, organizationId),
  ]);
  const isAdmin = user.role === "ADMIN";

  return (
    <>
      <PageHeader title="Settings" description="Organization, webhook verification, reference lists, API keys and users." />
      {!isAdmin && (
        <p role="note" className="mb-6 rounded-md bg-amber-50 px-4 py-3 text-sm text-amber-800 ring-1 ring-inset ring-amber-600/20">
          You have read-only access. Only admins can change settings.
        </p>
      )}
      <div className="space-y-6">
        <OrganizationForm name={org.name} webhooksEnabled={org.webhooksEnabled} canEdit={isAdmin} />
        <AutoDisableSection organizationId={organizationId} canEdit={isAdmin} />
        <SigningKeySection masked={key.masked} previousExpiresAt={key.previousExpiresAt.map((d) => d.toISOString())} canEdit={isAdmin} />
        <ReferenceListsSection lists={lists} canEdit={isAdmin} />
        <ApiKeysSection keys={apiKeys} isAdmin={isAdmin} />
        <UsersSection users={users} currentUserId={user.id} canEdit={isAdmin} />
      </div>
    </>
  );
}
