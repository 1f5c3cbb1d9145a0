import { afterAll, beforeAll, beforeEach, vi } from "vitest";
import { onWake } from "@/lib/delivery/wake";

/**
 * Watches this process's dispatcher wake-ups (lib/delivery/wake.ts) for the test file, in place of
 * a dispatcher: the returned mock is called once per wake-up, and cleared before each test.
 */
export function watchWakeUps() {
  const kick = vi.fn();
  beforeAll(() => onWake(kick));
  beforeEach(() => kick.mockClear());
  afterAll(() => onWake(() => {}));
  return kick;
}
