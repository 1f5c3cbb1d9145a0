import path from "node:path";
import { describe, expect, it } from "vitest";
import { codeOnly, importGraph, isTestFile, sourceFilesOnDisk, type ImportEdge } from "@/scripts/import-graph";

// The layering of lib/, components/ and app/, checked on every `npm test` (the unit project). Each
// rule reads the import statements of the source files (tests excluded: a test may build its
// fixtures from anything) and fails with every offending "file → import".

const root = path.resolve(import.meta.dirname, "../..");
const files = sourceFilesOnDisk(root);
const sources = new Map([...files].filter(([file]) => !isTestFile(file)));
const allEdges = importGraph(files);
const edges = allEdges.filter((e) => !isTestFile(e.from));

const under = (...folders: string[]) => (file: string) => folders.some((f) => file === f || file.startsWith(`${f}/`));
const DATABASE_PACKAGES = new Set(["@prisma/client", "@prisma/adapter-pg", "pg", "@electric-sql/pglite", "pglite-prisma-adapter"]);
const isDatabase = (e: ImportEdge) => (e.to !== null && under("lib/db", "lib/generated")(e.to)) || (e.pkg !== null && (DATABASE_PACKAGES.has(e.pkg) || e.pkg.startsWith("@prisma/")));
const toFile = (test: (file: string) => boolean) => (e: ImportEdge) => e.to !== null && test(e.to);

/** "file → import" for each import of a file matching `from` that `forbidden` refuses. */
function offending(from: (file: string) => boolean, forbidden: (e: ImportEdge) => boolean): string[] {
  return edges.filter((e) => from(e.from) && forbidden(e)).map((e) => `${e.from} → ${e.spec}`);
}

describe("architecture boundaries", () => {
  it("reads the source tree", () => {
    // A scan that found nothing would pass every rule below.
    expect(sources.size).toBeGreaterThan(200);
    expect(edges.length).toBeGreaterThan(1000);
  });

  it("1. lib/ never imports components/ or app/; components/ never imports app/ or the database (lib/db, lib/generated, @prisma/*, pg, PGlite)", () => {
    const problems = [
      ...offending(under("lib"), toFile(under("components", "app"))),
      ...offending(under("components"), (e) => toFile(under("app"))(e) || isDatabase(e)),
    ];
    expect(problems, "layers importing upward").toEqual([]);
  });

  it("2. lib/core imports only lib/core and packages; lib/domain only lib/domain, lib/core and packages (package.json counts as a package)", () => {
    const outside = (allowed: (file: string) => boolean) => (e: ImportEdge) => e.to !== null && e.to !== "package.json" && !allowed(e.to);
    const problems = [
      ...offending(under("lib/core"), outside(under("lib/core"))),
      ...offending(under("lib/domain"), outside(under("lib/domain", "lib/core"))),
    ];
    expect(problems, "lib/core or lib/domain importing above itself").toEqual([]);
  });

  // The pure modules: rendering, the delivery policies, the signature, and the outbox's matching
  // and freezing. They compute from domain types and values, never from form schemas, the
  // database or the network.
  const isPure = (file: string) =>
    under("lib/delivery/render", "lib/delivery/policy")(file) || ["lib/signing/signature.ts", "lib/outbox/match.ts", "lib/outbox/freeze.ts"].includes(file);

  it("3a. pure modules import only lib/core, lib/domain, lib/security's pure URL checks and other pure modules: never form schemas (lib/rules), the database, the transport or the engine", () => {
    const allowed = (file: string) => isPure(file) || under("lib/core", "lib/domain")(file) || file === "lib/security/outbound-url.ts" || file === "package.json";
    const problems = offending(isPure, (e) => isDatabase(e) || (e.to !== null && !allowed(e.to)));
    expect(problems, "pure modules importing impure ones").toEqual([]);
  });

  it("3b. every pure module is tested beside it: foo.ts has foo.test.ts, or a test file in its folder imports it directly", () => {
    const testedBeside = new Set(allEdges.filter((e) => isTestFile(e.from) && e.to !== null && path.posix.dirname(e.to) === path.posix.dirname(e.from)).map((e) => e.to));
    const untested = [...sources.keys()].filter((file) => isPure(file) && !files.has(file.replace(/\.tsx?$/, ".test.ts")) && !testedBeside.has(file));
    expect(untested, "pure modules without a test beside them").toEqual([]);
  });

  it("4. lib/delivery never imports lib/rules, lib/orgs, lib/health, lib/notifications or lib/outbox: the engine emits a report, and lib/process/delivery-role.ts wires its consumers (lib/health/report.ts) in each process", () => {
    const problems = offending(under("lib/delivery"), toFile(under("lib/rules", "lib/orgs", "lib/health", "lib/notifications", "lib/outbox")));
    expect(problems, "the delivery engine importing its consumers").toEqual([]);
  });

  it("5a. new deliveries are written only by lib/outbox/record-event.ts (delivery.create, delivery.createMany, INSERT INTO \"Delivery\", insertAll's table: \"Delivery\")", () => {
    const WRITES_DELIVERIES = /\.delivery\s*\.\s*create(?:Many)?\s*\(|INSERT\s+INTO\s+"?Delivery"?[\s(]|\btable:\s*["'`]Delivery["'`]/i;
    const writers = [...sources].filter(([file, text]) => WRITES_DELIVERIES.test(text) && file !== "lib/outbox/record-event.ts").map(([file]) => file);
    expect(writers, "modules creating deliveries outside lib/outbox/record-event.ts").toEqual([]);
  });

  it("5b. the dispatcher is woken in one place, lib/delivery/wake.ts; only the outbox's commit (new deliveries) and the requeue module (deliveries queued again) call it", () => {
    const WAKE = "lib/delivery/wake.ts";
    const CALLERS = ["lib/outbox/commit.ts", "lib/delivery/log/requeue.ts"];
    const WAKES = /\b(?:kick|wake)Dispatcher\s*\(/g;
    const DEFINES = /\bfunction\s+(?:kick|wake)Dispatcher\s*\(/g;
    const wakers = [...sources]
      .filter(([file]) => file !== WAKE && !CALLERS.includes(file))
      .flatMap(([file, text]) => {
        const code = codeOnly(text);
        const calls = (code.match(WAKES)?.length ?? 0) - (code.match(DEFINES)?.length ?? 0);
        return calls > 0 ? [`${file} (${calls}×)`] : [];
      });
    expect(wakers, `modules waking the dispatcher other than ${CALLERS.join(" and ")}`).toEqual([]);
    const wakeImporters = edges.filter((e) => e.to === WAKE).map((e) => e.from).sort();
    expect(wakeImporters, `modules importing ${WAKE}`).toEqual([...CALLERS, "lib/delivery/engine/runtime.ts"].sort());
  });
});
