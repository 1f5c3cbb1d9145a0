/** "2 webhook deliveries queued", for the toasts after a lead change. */
export function queuedText(n: number): string {
  if (n === 0) return "no webhook deliveries queued";
  return `${n} webhook ${n === 1 ? "delivery" : "deliveries"} queued`;
}
