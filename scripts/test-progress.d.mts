export interface ProgressCounts {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}
export function readProgress(file: string): ProgressCounts | null;
export function partialResult(
  name: string,
  progressFile: string,
  exit: { code: number; timedOut: boolean },
  limitMs: number,
): { passed: number; failed: number; skipped: number; note: string };
export function formatLimit(ms: number): string;
