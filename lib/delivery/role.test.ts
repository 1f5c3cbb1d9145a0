import { describe, expect, it } from "vitest";
import { deliveryDuties, wakeUps } from "./role";

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

describe("wakeUps", () => {
  it("on PostgreSQL listens on the database and ticks at the fallback interval", () => {
    const url = "postgres://u@db:5432/leadhooks";
    expect(wakeUps({ DATABASE_URL: url, DELIVERY_FALLBACK_TICK_SECONDS: 10 })).toEqual({ listenUrl: url, tickMs: 10_000 });
    expect(wakeUps({ DATABASE_URL: url, DELIVERY_FALLBACK_TICK_SECONDS: 60 })).toEqual({ listenUrl: url, tickMs: 60_000 });
  });

  it("on PGlite listens on nothing and ticks every second, whatever the fallback setting", () => {
    expect(wakeUps({ DATABASE_URL: "pglite:./data/pglite", DELIVERY_FALLBACK_TICK_SECONDS: 60 })).toEqual({ listenUrl: null, tickMs: 1000 });
    expect(wakeUps({ DATABASE_URL: "pglite:memory", DELIVERY_FALLBACK_TICK_SECONDS: 10 })).toEqual({ listenUrl: null, tickMs: 1000 });
  });
});
