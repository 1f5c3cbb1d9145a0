import { appendFileSync } from "node:fs";
import type { Reporter, TestCase, TestModule } from "vitest/node";

// Appends one JSON line per finished test (and per test file that failed to load) to
// $TEST_PROGRESS_FILE as it happens, so scripts/test.mjs can still count what passed and what
// failed when it has to stop a suite that overran its time limit (the JSON report is only
// written at the very end).

const file = process.env.TEST_PROGRESS_FILE;
const write = (line: object) => {
  if (file) appendFileSync(file, `${JSON.stringify(line)}\n`);
};

export default class ProgressReporter implements Reporter {
  onTestCaseResult(testCase: TestCase): void {
    const { state } = testCase.result();
    write({ test: `${testCase.module.moduleId} > ${testCase.fullName}`, state });
  }

  onTestModuleEnd(testModule: TestModule): void {
    // A file that fails to load (or whose hooks fail) has failed tests only as "skipped".
    const errors = testModule.errors();
    if (errors.length) write({ test: testModule.moduleId, state: "failed", error: errors[0]?.message });
  }
}
