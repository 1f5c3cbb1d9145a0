import { z } from "zod";

// Shared by the Settings form (zodResolver) and the server actions.
export const apiKeyNameSchema = z.object({
  name: z.string().trim().min(1, "Name the key, e.g. the system that will use it.").max(100, "Use at most 100 characters."),
});

export const apiKeyRefSchema = z.object({ id: z.string().trim().min(1).max(100) });

export type ApiKeyNameInput = z.input<typeof apiKeyNameSchema>;
