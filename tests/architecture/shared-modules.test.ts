import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isTestFile, sourceFilesOnDisk } from "@/scripts/import-graph";

// The unit and integration projects run with isolate: false (vitest.config.ts): each project's test
// files share one set of module instances. A module replaced by vi.mock in one file would then be
// the real one or the mock in another depending on the order files run, so tests spy and restore,
// or use the hook the code offers (onWake), instead. The integration setup file's mocks are the
// exception: it runs before every file alike.

const root = path.resolve(import.meta.dirname, "../..");
const integrationDir = path.join(root, "tests", "integration");
const testFiles = [
  ...[...sourceFilesOnDisk(root)].filter(([file]) => isTestFile(file)),
  ...readdirSync(integrationDir)
    .filter(isTestFile)
    .map((f) => [`tests/integration/${f}`, readFileSync(path.join(integrationDir, f), "utf8")] as const),
];

describe("test files sharing modules", () => {
  it("replace no module (vi.mock, vi.doMock)", () => {
    expect(testFiles.filter(([file]) => file.startsWith("tests/integration/")).length).toBeGreaterThan(50);
    expect(testFiles.length).toBeGreaterThan(140);
    const offenders = testFiles.filter(([, text]) => /\bvi\.(do)?[mM]ock\s*\(/.test(text)).map(([file]) => file);
    expect(offenders).toEqual([]);
  });
});
