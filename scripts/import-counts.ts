// `npm run imports [revision]`: how many imports go from each area of the code to each other one
// (lib/delivery/render → lib/core: 7), read from the source files of the working tree or, given a
// git revision, of that commit. Tests are left out; so are imports within one area and of packages.
// Areas are folders as they are named at that revision (see areaOf in scripts/import-graph.ts).
import { execFileSync } from "node:child_process";
import path from "node:path";
import { areaOf, importGraph, isSourceFile, isTestFile, sourceFilesOnDisk } from "./import-graph";

const root = path.resolve(import.meta.dirname, "..");

/** The source files of a commit, read in one `git cat-file --batch`. */
function sourceFilesAt(revision: string): Map<string, string> {
  const git = (args: string[], input?: string) => execFileSync("git", args, { cwd: root, input, maxBuffer: 256 * 1024 * 1024 });
  const names = git(["ls-tree", "-r", "--name-only", revision, "--", "lib", "components", "app"]).toString("utf8").split("\n").filter(isSourceFile);
  const out = git(["cat-file", "--batch"], names.map((n) => `${revision}:${n}\n`).join(""));
  const files = new Map<string, string>();
  let at = 0;
  for (const name of names) {
    const headerEnd = out.indexOf(0x0a, at);
    const size = Number(out.subarray(at, headerEnd).toString("utf8").split(" ")[2]);
    files.set(name, out.subarray(headerEnd + 1, headerEnd + 1 + size).toString("utf8"));
    at = headerEnd + 1 + size + 1; // the content, then a line break
  }
  return files;
}

const revision = process.argv[2];
const files = revision ? sourceFilesAt(revision) : sourceFilesOnDisk(root);
const counts = new Map<string, number>();
let within = 0;
for (const e of importGraph(files)) {
  if (isTestFile(e.from) || e.to === null) continue;
  const from = areaOf(e.from);
  const to = areaOf(e.to);
  if (from === to) within++;
  else counts.set(`${from}\t${to}`, (counts.get(`${from}\t${to}`) ?? 0) + 1);
}

const byFrom = new Map<string, [string, number][]>();
for (const [key, n] of counts) {
  const [from, to] = key.split("\t") as [string, string];
  byFrom.set(from, [...(byFrom.get(from) ?? []), [to, n]]);
}
const rows = [...byFrom]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([from, targets]) => {
    const sorted = targets.sort(([a], [b]) => a.localeCompare(b));
    return [from, String(sorted.reduce((sum, [, n]) => sum + n, 0)), sorted.map(([to, n]) => `${to} ${n}`).join(", ")];
  });
const header = ["from", "imports", "to (imports)"];
const widths = [Math.max(...[header, ...rows].map((r) => r[0]!.length)), Math.max(...[header, ...rows].map((r) => r[1]!.length))];
const line = ([from, n, to]: string[]) => `${from!.padEnd(widths[0]!)}  ${n!.padStart(widths[1]!)}  ${to}`;
console.log(`Imports between areas at ${revision ?? "the working tree"} (${[...files.keys()].filter((f) => !isTestFile(f)).length} source files; tests, packages and imports within an area left out)`);
console.log(line(header));
for (const row of rows) console.log(line(row));
const between = [...counts.values()].reduce((sum, n) => sum + n, 0);
console.log(`${between} imports between areas, ${within} within an area`);
