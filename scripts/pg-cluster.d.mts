// Types for scripts/pg-cluster.mjs (plain ESM so scripts/test.mjs can run it without a loader).
export function freePort(): Promise<number>;
export function pgBinDir(): string;
export function startPostgres(options?: { maxConnections?: number }): Promise<{
  url: string;
  stop: () => void;
  /** Stops the server, keeping its data (pg_ctl -m fast by default). */
  pause: (mode?: "smart" | "fast" | "immediate") => void;
  /** Starts a paused server again, same port and data. */
  resume: () => void;
}>;
export function createScratchDatabase(serverUrl: string, prefix: string): Promise<{ name: string; url: string }>;
