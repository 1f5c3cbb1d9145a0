import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { hasAnyUser } from "@/lib/orgs/setup";
import { SetupForm } from "./setup-form";

export const metadata: Metadata = { title: "Set up Leadhooks" };

export default async function SetupPage() {
  if (await hasAnyUser()) notFound();
  return <SetupForm />;
}
