import { describe, expect, it } from "vitest";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { kickNotifications, notificationsSettled } from "./send";

const prisma = {} as PrismaClient; // never used: the send is the test's
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function afterMicrotasks(depth: number, fn: () => void): void {
  if (depth === 0) fn();
  else queueMicrotask(() => afterMicrotasks(depth - 1, fn));
}

describe("kickNotifications", () => {
  it("a kick after failures at any moment around a run's end gets a send of its own: none is lost", async () => {
    // Each depth lands the kick at another step between the send's end and the run's end. A run
    // that cleared `running` a step after its last look at `again` told kicks landing in between
    // to a run that had ended: their reports waited for the next batch with failures, or a minute.
    for (let depth = 0; depth <= 12; depth++) {
      const sends: (() => void)[] = [];
      const send = () => new Promise<void>((resolve) => sends.push(resolve));
      void kickNotifications(prisma, { failures: true }, Date.now(), send);
      await settle();
      expect(sends).toHaveLength(1);
      sends[0]!();
      afterMicrotasks(depth, () => void kickNotifications(prisma, { failures: true }, Date.now(), send));
      await settle();
      expect({ depth, sends: sends.length }).toEqual({ depth, sends: 2 });
      sends[1]!();
      await notificationsSettled();
    }
  });
});
