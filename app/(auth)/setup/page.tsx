import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { hasAnyUser } from "@/lib/orgs/setup";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set up Leadhooks" };

export default async function SetupPage() {
  // Setup runs once; after that the person most likely wants to sign in, and the sign-in page says why they landed there.
  if (await hasAnyUser()) redirect("/login?setup=done");
  return <SetupForm />;
}
