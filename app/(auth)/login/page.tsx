import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { localPath } from "@/lib/auth/local-path";
import { getSessionUser } from "@/lib/auth/session";
import { hasAnyUser } from "@/lib/orgs/setup";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; setup?: string }> }) {
  if (!(await hasAnyUser())) redirect("/setup");
  if (await getSessionUser()) redirect("/dashboard");
  const { callbackUrl, setup } = await searchParams;
  // Only same-site paths: an absolute callback URL would make this an open redirect.
  const target = (callbackUrl && localPath(callbackUrl)) || "/dashboard";
  const notice = setup === "done" ? "This Leadhooks is already set up. Sign in with your account; if you have none, ask an admin of your organization to add you." : undefined;
  return <LoginForm callbackUrl={target} notice={notice} />;
}
