import { appendFileSync } from "node:fs";
import type { FullResult, Reporter, TestCase, TestError, TestResult } from "@playwright/test/reporter";

// Appends one JSON line per finished test to $TEST_PROGRESS_FILE as it happens, so
// scripts/test.mjs can still count what passed and what failed when it has to stop the browser
// suite (Playwright's JSON report is only written when the run ends).

const file = process.env.TEST_PROGRESS_FILE;
const write = (line: object) => {
  if (file) appendFileSync(file, `${JSON.stringify(line)}\n`);
};

export default class ProgressReporter implements Reporter {
  onTestEnd(test: TestCase, result: TestResult): void {
    // "passed"/"skipped" as expected; anything else ("failed", "timedOut", "interrupted") failed.
    const state = result.status === "passed" || result.status === "skipped" ? result.status : "failed";
    write({ test: `${test.location.file.split("/").pop()} > ${test.titlePath().slice(3).join(" > ")}`, state, status: result.status, seconds: result.duration / 1000 });
  }

  onError(error: TestError): void {
    write({ test: "(global)", state: "failed", error: error.message?.split("\n")[0] });
  }

  onEnd(result: FullResult): void {
    write({ end: result.status });
  }

  printsToStdio(): boolean {
    return false;
  }
}
