import { diagnose, type Diagnosis } from "@/lib/delivery/policy/diagnosis";
import type { DeliveryAttemptView } from "@/lib/delivery/log/queries";

/**
 * A failed attempt in plain language; null for the attempt that succeeded. An attempt row keeps
 * the client's error but not the Response tab's reason (a 200 failing the body check): the
 * delivery's last error holds it for the latest attempt, passed in as `reason`.
 */
export function attemptDiagnosis(
  a: Pick<DeliveryAttemptView, "succeeded" | "statusCode" | "errorClass" | "errorMessage" | "parsedError">,
  reason: string | null,
): Diagnosis | null {
  if (a.succeeded) return null;
  return diagnose({
    status: a.statusCode,
    errorClass: a.errorClass,
    errorMessage: a.errorMessage,
    verdict: { success: false, reason: a.errorMessage ?? reason, error: a.parsedError },
  });
}
