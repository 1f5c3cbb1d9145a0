import { describe, expect, it } from "vitest";
import { deliveryDuties } from "./role";

describe("deliveryDuties", () => {
  it("a worker wakes and ticks whatever the web settings say", () => {
    expect(deliveryDuties("worker", { DELIVERY_WORKERS: "external", SCHEDULER: "off" })).toEqual({ wake: true, tick: true });
    expect(deliveryDuties("worker", { DELIVERY_WORKERS: "inline", SCHEDULER: "on" })).toEqual({ wake: true, tick: true });
  });

  it("the web process with inline workers wakes after each event and ticks unless SCHEDULER=off", () => {
    expect(deliveryDuties("web", { DELIVERY_WORKERS: "inline", SCHEDULER: "on" })).toEqual({ wake: true, tick: true });
    expect(deliveryDuties("web", { DELIVERY_WORKERS: "inline", SCHEDULER: "off" })).toEqual({ wake: true, tick: false });
  });

  it("the web process with external workers neither wakes nor ticks", () => {
    expect(deliveryDuties("web", { DELIVERY_WORKERS: "external", SCHEDULER: "on" })).toEqual({ wake: false, tick: false });
    expect(deliveryDuties("web", { DELIVERY_WORKERS: "external", SCHEDULER: "off" })).toEqual({ wake: false, tick: false });
  });
});
