// The heap limit the web process (scripts/serve.ts) starts with, wherever it is started: `npm
// start`, the benchmark, the end-to-end tests' server.
//
// V8 sizes the growth of its old generation from this limit. Under the default limit of a machine
// with plenty of memory (a quarter of it, up to 4 GB) it lets the old generation grow to up to
// four times what survived the last full collection before it collects again; under a smaller
// limit, by less. Under a steady stream of leads the web process keeps about 75–80 MB alive, and
// most of what it promotes to the old generation is garbage a full collection frees: with the
// default limit its resident memory climbed to 338–349 MB in the benchmark's latency phase; with
// 1 GB to 255–299 MB (the throughput phase on a warm server reached 294–299 MB); with 512 MB to
// 243–282 MB, its pace unchanged (2 December 2026). 512 MB is still six times the live heap: room
// for a hundred large lead bodies (up to 1 MB each) parsed at once. The admin side's largest work,
// the Excel export, is streamed.
export const WEB_HEAP_MB = 512;

// WebAssembly on Liftoff only (V8's baseline compiler), on PostgreSQL. The first Prisma query (the
// login page's hasAnyUser, any admin page) runs Prisma's query compiler, a 3.4 MB WebAssembly
// module, through the schema once; V8 tiers its largest functions up to TurboFan on a background
// thread, and that compilation left a 39-40 MB malloc arena resident for the process's life
// (/proc/self/smaps; the JS heap is unchanged). Peak RSS in the benchmark, 3 December 2026:
// latency phase 262-287 MB before, 239-241 after; throughput phase 266-297 before, 243-252 after;
// events accepted/s and app CPU per event unchanged within the noise (undici's llhttp, which
// parses delivery responses, is WebAssembly too). A script that only runs Prisma queries: peak
// 257 MB before, 221 after, and 2,700 queries took the same CPU (925 and 943 ms before, 892 and
// 1,016 after). --no-wasm-tier-up left the arena in place. Not on PGlite: PostgreSQL itself then
// runs as WebAssembly in this process and needs TurboFan. V8 lists the flag as "for testing";
// should a later Node drop it, the web process would not start, and every test on PostgreSQL
// that starts one would say so.
export const WASM_BASELINE_ONLY = "--liftoff-only";

/**
 * The Node flags to start the web process with, on the database at `databaseUrl`. An operator who
 * sets the heap limit in NODE_OPTIONS keeps it: a flag on the command line would override theirs.
 */
export function webNodeFlags(databaseUrl: string, nodeOptions: string | undefined = process.env.NODE_OPTIONS): string[] {
  const heap = /(^|\s)--max[-_]old[-_]space[-_]size(=|\s|$)/.test(nodeOptions ?? "") ? [] : [`--max-old-space-size=${WEB_HEAP_MB}`];
  return /^postgres(ql)?:\/\//.test(databaseUrl) ? [...heap, WASM_BASELINE_ONLY] : heap;
}
