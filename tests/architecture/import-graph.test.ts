import { describe, expect, it } from "vitest";
import { areaOf, importGraph, importSpecifiers, resolveImport } from "@/scripts/import-graph";

describe("importSpecifiers", () => {
  it("reads static, type-only, re-export, side-effect, dynamic and type-position imports", () => {
    const src = [
      'import { a, type B } from "@/lib/core/ids";',
      "import type {",
      "  C,",
      "  D,",
      '} from "./types";',
      'import "./side-effect";',
      'export { e } from "../e";',
      'export * as f from "f-package";',
      'const g = await import("./lazy");',
      'type H = typeof import("@/lib/h");',
    ].join("\n");
    expect(importSpecifiers(src)).toEqual(["@/lib/core/ids", "./types", "./side-effect", "../e", "f-package", "./lazy", "@/lib/h"]);
  });

  it("ignores comments, template-literal text, strings and regular expressions that look like imports", () => {
    const src = [
      '// import { x } from "@/app/commented";',
      "/* import y from '@/app/block'; */",
      'const snippet = `import express from "express";',
      "import z from './in-a-template';`;",
      "const text = \"import q from 'quoted'\";",
      "const re = /import('x')/;",
      'import { real } from "./real";',
    ].join("\n");
    expect(importSpecifiers(src)).toEqual(["./real"]);
  });

  it("reads the code inside a template literal's ${…}", () => {
    expect(importSpecifiers('const s = `a ${await import("./inside")} b`;')).toEqual(["./inside"]);
  });

  it("keeps reading after JSX text with an apostrophe or a closing tag", () => {
    const src = ["const el = <p>Don't stop</p>;", 'import { later } from "./later";'].join("\n");
    expect(importSpecifiers(src)).toEqual(["./later"]);
  });
});

describe("resolveImport", () => {
  const files = new Set(["lib/core/ids.ts", "lib/db/index.ts", "components/ui/button.tsx"]);
  const isFile = (p: string) => files.has(p);

  it("resolves @/ and relative paths to a project file, with its extension or index", () => {
    expect(resolveImport("app/page.tsx", "@/lib/core/ids", isFile)).toEqual({ to: "lib/core/ids.ts", pkg: null });
    expect(resolveImport("lib/core/env.ts", "../db", isFile)).toEqual({ to: "lib/db/index.ts", pkg: null });
    expect(resolveImport("components/ui/card.tsx", "./button", isFile)).toEqual({ to: "components/ui/button.tsx", pkg: null });
  });

  it("keeps the path of a project file it does not know (a generated client) and names packages", () => {
    expect(resolveImport("lib/db/index.ts", "@/lib/generated/prisma/client", isFile)).toEqual({ to: "lib/generated/prisma/client", pkg: null });
    expect(resolveImport("lib/db/index.ts", "@prisma/adapter-pg", isFile)).toEqual({ to: null, pkg: "@prisma/adapter-pg" });
    expect(resolveImport("lib/db/index.ts", "node:fs", isFile)).toEqual({ to: null, pkg: "node:fs" });
    expect(resolveImport("lib/db/index.ts", "next/link", isFile)).toEqual({ to: null, pkg: "next" });
  });
});

describe("areaOf and importGraph", () => {
  it("names lib/delivery's parts, lib's folders, components and app", () => {
    expect(areaOf("lib/delivery/transport/auth/digest.ts")).toBe("lib/delivery/transport");
    expect(areaOf("lib/delivery/dispatcher.ts")).toBe("lib/delivery");
    expect(areaOf("lib/outbox/match.ts")).toBe("lib/outbox");
    expect(areaOf("lib/env.ts")).toBe("lib");
    expect(areaOf("components/ui/button.tsx")).toBe("components");
    expect(areaOf("app/(admin)/rules/page.tsx")).toBe("app");
  });

  it("gives every import of every file with where it points", () => {
    const files = new Map([
      ["lib/a.ts", 'import { b } from "./b";\nimport { z } from "zod";'],
      ["lib/b.ts", "export const b = 1;"],
    ]);
    expect(importGraph(files)).toEqual([
      { from: "lib/a.ts", spec: "./b", to: "lib/b.ts", pkg: null },
      { from: "lib/a.ts", spec: "zod", to: null, pkg: "zod" },
    ]);
  });
});
