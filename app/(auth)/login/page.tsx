import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getSessionUser } from "@/lib/auth/session";
import { hasAnyUser } from "@/lib/orgs/setup";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (!(await hasAnyUser())) redirect("/setup");
  if (await getSessionUser()) redirect("/dashboard");
  const { callbackUrl } = await searchParams;
  // Only same-site paths: an absolute callback URL would make this an open redirect.
  const target = callbackUrl && callbackUrl.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/dashboard";
  return <LoginForm callbackUrl={target} />;
}
