import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/session";
import { hasAnyUser } from "@/lib/orgs/setup";

export const dynamic = "force-dynamic";

export default async function Home() {
  if (!(await hasAnyUser())) redirect("/setup");
  // Signed in: the organization's dashboard is its home page.
  redirect((await getSessionUser()) ? "/dashboard" : "/login");
}
