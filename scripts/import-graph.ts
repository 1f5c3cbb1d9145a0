import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// Who imports whom, read from source text: the import statements (`import … from`, `export … from`,
// `import "…"`), dynamic and type-position `import("…")`, and `require("…")`, with comments and
// template-literal text left out. Resolves `@/…` (the project root) and relative paths to a file of
// the project; anything else is a package. Used by the architecture tests
// (tests/architecture/boundaries.test.ts) and by `npm run imports` (scripts/import-counts.ts).

export interface ImportEdge {
  /** The importing file, relative to the project root ("lib/outbox/match.ts"). */
  from: string;
  /** The specifier as written ("@/lib/core/ids", "./context", "zod"). */
  spec: string;
  /** A project file ("lib/core/ids.ts"; without extension when no such file is known), or null for a package. */
  to: string | null;
  /** The package's name ("zod", "@prisma/client", "node:fs"), or null for a project file. */
  pkg: string | null;
}

const IDENTIFIER = /[A-Za-z0-9_$]/;
// After these a "/" starts a regular expression; after anything else (a name, ")" or "]") it divides.
const BEFORE_REGEX = new Set([..."(,=:[!&|?{};+-*%<>~^"]);
const KEYWORDS_BEFORE_REGEX = new Set(["return", "typeof", "case", "do", "else", "in", "of", "void", "yield", "await", "delete", "throw", "new"]);

const blank = (text: string) => text.replace(/[^\n]/g, " ");

/**
 * The source with comments, regular expressions and template-literal text blanked (line breaks
 * kept), and quoted strings left as they are, so that only real statements match the import
 * patterns. Strings and regular expressions end at a line break at the latest, so a misread
 * character in JSX text spoils one line, never the imports.
 */
export function codeOnly(src: string): string {
  let out = "";
  let last = ""; // the last significant token: a punctuation character or a word
  const templateBraces: number[] = []; // open braces of the code in each `${ … }`
  let i = 0;
  const n = src.length;
  const templateText = (start: number) => {
    // From just after a ` or a `}` that closes `${`: the text up to the next ` or `${`.
    let j = start;
    while (j < n && src[j] !== "`" && !(src[j] === "$" && src[j + 1] === "{")) j += src[j] === "\\" ? 2 : 1;
    out += blank(src.slice(start, j));
    if (j >= n) return n;
    if (src[j] === "`") {
      out += "`";
      return j + 1;
    }
    out += "${";
    templateBraces.push(0);
    return j + 2;
  };
  while (i < n) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      const end = src.indexOf("\n", i);
      const j = end === -1 ? n : end;
      out += blank(src.slice(i, j));
      i = j;
    } else if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      const j = end === -1 ? n : end + 2;
      out += blank(src.slice(i, j));
      i = j;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
      j = Math.min(j + 1, n);
      out += src.slice(i, j);
      i = j;
      last = c;
    } else if (c === "`") {
      out += "`";
      i = templateText(i + 1);
      last = "`";
    } else if (c === "}" && templateBraces.length && templateBraces[templateBraces.length - 1] === 0) {
      templateBraces.pop();
      out += "}";
      i = templateText(i + 1);
      last = "`";
    } else if (c === "/" && (last === "" || BEFORE_REGEX.has(last) || KEYWORDS_BEFORE_REGEX.has(last))) {
      let j = i + 1;
      let inClass = false;
      while (j < n && src[j] !== "\n") {
        if (src[j] === "\\") j++;
        else if (src[j] === "[") inClass = true;
        else if (src[j] === "]") inClass = false;
        else if (src[j] === "/" && !inClass) break;
        j++;
      }
      j = Math.min(j + 1, n);
      while (j < n && /[a-z]/i.test(src[j]!)) j++;
      out += blank(src.slice(i, j));
      i = j;
      last = ")"; // a regular expression is a value: a "/" after it divides
    } else if (IDENTIFIER.test(c)) {
      let j = i + 1;
      while (j < n && IDENTIFIER.test(src[j]!)) j++;
      last = src.slice(i, j);
      out += last;
      i = j;
    } else {
      if (templateBraces.length && c === "{") templateBraces[templateBraces.length - 1]!++;
      if (templateBraces.length && c === "}") templateBraces[templateBraces.length - 1]!--;
      if (!/\s/.test(c)) last = c;
      out += c;
      i++;
    }
  }
  return out;
}

const STATIC_IMPORT = /(?:^|;)[ \t]*(?:import|export)\s+(?:[\w*${}\s,]+?\s*from\s*)?(["'])([^"'\n]+)\1/gm;
const CALL_IMPORT = /(?:\bimport|\brequire)\s*\(\s*(["'])([^"'\n]+)\1\s*\)/g;

/** The module specifiers a source file imports, in order of appearance, each once. */
export function importSpecifiers(src: string): string[] {
  const code = codeOnly(src);
  const found: [number, string][] = [];
  for (const re of [STATIC_IMPORT, CALL_IMPORT]) for (const m of code.matchAll(re)) found.push([m.index, m[2]!]);
  return [...new Set(found.sort((a, b) => a[0] - b[0]).map(([, spec]) => spec))];
}

const EXTENSIONS = ["", ".ts", ".tsx", ".js", ".mjs", ".json", "/index.ts", "/index.tsx"];

/** Where `spec`, imported by `from`, points: a project file or a package. */
export function resolveImport(from: string, spec: string, isFile: (p: string) => boolean): Pick<ImportEdge, "to" | "pkg"> {
  let base: string;
  if (spec.startsWith("@/")) base = spec.slice(2);
  else if (spec.startsWith("./") || spec.startsWith("../")) base = path.posix.join(path.posix.dirname(from), spec);
  else {
    const parts = spec.split("/");
    return { to: null, pkg: spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]! };
  }
  const found = EXTENSIONS.map((ext) => base + ext).find(isFile);
  return { to: found ?? base, pkg: null };
}

/** Every import of every file, given each file's path and text. */
export function importGraph(files: ReadonlyMap<string, string>): ImportEdge[] {
  const isFile = (p: string) => files.has(p);
  return [...files].flatMap(([from, text]) => importSpecifiers(text).map((spec) => ({ from, spec, ...resolveImport(from, spec, isFile) })));
}

/**
 * The area a file belongs to, for counting imports between areas: lib/delivery's parts
 * ("lib/delivery/render"), every other lib folder ("lib/outbox"), the files directly in lib ("lib"),
 * "components" and "app".
 */
export function areaOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] === "lib") {
    if (parts.length === 2) return "lib";
    if (parts[1] === "delivery" && parts.length > 3) return `lib/delivery/${parts[2]}`;
    return `lib/${parts[1]}`;
  }
  return parts.length > 1 ? parts[0]! : "(root)";
}

/** The source files the architecture is read from: TypeScript under lib, components and app, less the generated client. */
export function isSourceFile(file: string): boolean {
  return /^(lib|components|app)\/.*\.tsx?$/.test(file) && !file.startsWith("lib/generated/") && !file.endsWith(".d.ts");
}

export function isTestFile(file: string): boolean {
  return /\.test\.tsx?$/.test(file);
}

/** The source files under `root` as they are on disk, by path relative to it. */
export function sourceFilesOnDisk(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of ["lib", "components", "app"]) {
    for (const entry of readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/");
      if (isSourceFile(file)) files.set(file, readFileSync(path.join(root, file), "utf8"));
    }
  }
  return files;
}
