// Types for scripts/build-lock.mjs (plain ESM so scripts/test.mjs can run it without a loader).
export function withBuildLock<T>(root: string, fn: () => T | Promise<T>, options?: { pollMs?: number }): Promise<T>;
