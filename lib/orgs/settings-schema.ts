import { z } from "zod";
import { passwordSchema } from "./setup-schema";

// Schemas for the Settings page, shared by its forms (zodResolver) and its server actions.

const id = z.string().trim().min(1, "Missing id.").max(100);

export const organizationSchema = z.object({
  name: z.string().trim().min(1, "Enter the organization's name.").max(100, "Use at most 100 characters."),
  // The "Enable webhooks" setting is a Yes/No select; the action turns it into a boolean.
  webhooksEnabled: z.enum(["yes", "no"], "Choose Yes or No."),
});
export type OrganizationInput = z.input<typeof organizationSchema>;

export const REFERENCE_KINDS = ["LEAD_STATUS", "LEAD_SUBSTATUS", "CASE_TYPE", "OFFICE", "OPPORTUNITY_SOURCE", "MARKETING_SOURCE"] as const;
export type ReferenceKindInput = (typeof REFERENCE_KINDS)[number];

export const referenceNameSchema = z.string().trim().min(1, "Enter a name.").max(100, "Use at most 100 characters.");

export const addReferenceItemSchema = z
  .object({
    kind: z.enum(REFERENCE_KINDS),
    // The status a substatus belongs to; only for LEAD_SUBSTATUS.
    parentId: id.optional(),
    name: referenceNameSchema,
  })
  .refine((v) => (v.kind === "LEAD_SUBSTATUS") === !!v.parentId, { message: "A substatus needs its status, and only a substatus has one.", path: ["parentId"] });
export type AddReferenceItemInput = z.input<typeof addReferenceItemSchema>;

export const renameReferenceItemSchema = z.object({ id, name: referenceNameSchema });
export type RenameReferenceItemInput = z.input<typeof renameReferenceItemSchema>;

export const moveReferenceItemSchema = z.object({ id, direction: z.enum(["up", "down"]) });

export const idInputSchema = z.object({ id });

export const ROLES = ["ADMIN", "VIEWER"] as const;

export const addUserSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.")),
  name: z.string().trim().max(100, "Use at most 100 characters.").optional(),
  password: passwordSchema,
  role: z.enum(ROLES, "Choose a role."),
});
export type AddUserInput = z.input<typeof addUserSchema>;

export const changeUserRoleSchema = z.object({ id, role: z.enum(ROLES, "Choose a role.") });

/** Settings → Delivery health: consecutive failed deliveries after which a rule is disabled. */
export const autoDisableSchema = z.object({
  autoDisableThreshold: z
    .number("Enter a number.")
    .int("Use a whole number.")
    .min(1, "Use at least 1.")
    .max(10_000, "Use at most 10,000."),
});
export type AutoDisableInput = z.input<typeof autoDisableSchema>;
