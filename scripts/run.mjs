// `node scripts/run.mjs <entry.ts>`: runs one of the app's long-lived TypeScript processes (the web
// server, a delivery worker) as plain JavaScript. The entry and the project's own modules are
// bundled with esbuild into one file under .bundle/ (packages stay in node_modules), then imported
// in this process, so signals reach it directly. Compared with `node --import tsx`, the process
// carries no loader thread and no per-file transform: a worker starts in about half the memory.
// The bundle is named by its content, written once and renamed into place, so processes starting
// together never read a half-written file; bundles of the same entry older than a day are removed.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, stop } from "esbuild";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

const DAY_MS = 24 * 60 * 60 * 1000;

function removeStale(dir, prefix, keep) {
  for (const f of readdirSync(dir)) {
    if (!f.startsWith(prefix) || f === keep) continue;
    const p = path.join(dir, f);
    try {
      if (Date.now() - statSync(p).mtimeMs > DAY_MS) rmSync(p, { force: true });
    } catch {
      /* removed by another process meanwhile */
    }
  }
}

/** Bundles `entry` and returns the bundle's path. */
export async function bundle(entry) {
  const result = await build({
    entryPoints: [path.resolve(entry)],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    write: false,
    logLevel: "warning",
    absWorkingDir: root,
  });
  // esbuild's service is a child process that would otherwise live as long as this one, holding
  // memory (12-19 MB) and sitting in the process tree a stop has to end.
  await stop();
  const code = result.outputFiles[0].contents;
  const name = `${path.basename(entry).replace(/\.[cm]?tsx?$/, "")}-${createHash("sha256").update(code).digest("hex").slice(0, 16)}.mjs`;
  const dir = path.join(root, ".bundle");
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
    removeStale(dir, name.slice(0, name.lastIndexOf("-") + 1), name);
  }
  return file;
}

const entry = process.argv[2];
if (!entry) {
  console.error("usage: node scripts/run.mjs <entry.ts>");
  process.exit(2);
}
process.argv.splice(1, 2, path.resolve(entry));
await import(pathToFileURL(await bundle(entry)).href);
