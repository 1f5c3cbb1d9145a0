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

/**
 * The Node flags to start the web process with. An operator who sets the limit in NODE_OPTIONS
 * keeps it: a flag on the command line would override theirs.
 */
export function webNodeFlags(nodeOptions: string | undefined = process.env.NODE_OPTIONS): string[] {
  return /(^|\s)--max[-_]old[-_]space[-_]size(=|\s|$)/.test(nodeOptions ?? "") ? [] : [`--max-old-space-size=${WEB_HEAP_MB}`];
}
