import { z } from "zod";

export const passwordSchema = z.string().min(8, "Use at least 8 characters.").max(200, "Use at most 200 characters.");

export const setupSchema = z.object({
  organizationName: z.string().trim().min(1, "Enter your organization's name.").max(100, "Use at most 100 characters."),
  name: z.string().trim().max(100, "Use at most 100 characters.").optional(),
  email: z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.")),
  password: passwordSchema,
});

export type SetupInput = z.input<typeof setupSchema>;
