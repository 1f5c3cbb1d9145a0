import path from "node:path";
import { describe, expect, it } from "vitest";
import { isTestFile, sourceFilesOnDisk } from "@/scripts/import-graph";

// The unit project runs with isolate: false (vitest.config.ts): its test files share one set of
// module instances. A module replaced by vi.mock in one file would then be the real one or the
// mock in another depending on the order files run, so unit tests spy and restore instead.

const root = path.resolve(import.meta.dirname, "../..");
// Every unit test but these architecture checks, which replace nothing (lib/, components/, app/).
const unitTests = [...sourceFilesOnDisk(root)].filter(([file]) => isTestFile(file));

describe("unit tests sharing modules", () => {
  it("replace no module (vi.mock, vi.doMock)", () => {
    expect(unitTests.length).toBeGreaterThan(50);
    const offenders = unitTests.filter(([, text]) => /\bvi\.(do)?[mM]ock\s*\(/.test(text)).map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});
