import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

// Reads prisma/schema.prisma through Prisma's own schema parser (the prisma-schema WASM module the
// `prisma` CLI ships), so the drift test sees exactly what `prisma generate` sees: @map names,
// optionality, lists, relations, unique constraints. @prisma/internals (which wraps the same
// module) is not a dependency here, so this file carries the few lines of wasm-bindgen glue the
// module needs. Import names carry a build hash; they are matched by prefix so a patch release of
// `prisma` keeps working, and an unknown import fails loudly instead of silently.

export interface DmmfField {
  name: string;
  dbName: string | null;
  kind: "scalar" | "object" | "enum" | "unsupported";
  type: string;
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  isUnique: boolean;
  hasDefaultValue: boolean;
  isUpdatedAt: boolean;
  nativeType?: [string, string[]] | null;
  relationName?: string | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string | null;
}

export interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { name: string | null; fields: string[] } | null;
  uniqueFields: string[][];
}

export interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName: string | null }[];
}

export interface Datamodel {
  models: DmmfModel[];
  enums: DmmfEnum[];
}

type WasmExports = {
  memory: WebAssembly.Memory;
  get_dmmf(ptr: number, len: number): [number, number, number, number];
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, len: number, align: number): void;
  __wbindgen_externrefs: WebAssembly.Table;
  __externref_table_dealloc(idx: number): void;
  __wbindgen_start(): void;
};

function loadSchemaWasm(): WasmExports {
  const require = createRequire(import.meta.url);
  const cliDir = path.dirname(require.resolve("prisma/package.json"));
  const module = new WebAssembly.Module(readFileSync(path.join(cliDir, "build", "prisma_schema_build_bg.wasm")));
  let exports: WasmExports | undefined;
  const text = (ptr: number, len: number) => new TextDecoder().decode(new Uint8Array(exports!.memory.buffer, ptr >>> 0, len));
  const known: [string, (...args: number[]) => unknown][] = [
    ["__wbg_Error_", (ptr, len) => new Error(text(ptr!, len!))],
    ["__wbg___wbindgen_throw_", (ptr, len) => {
      throw new Error(text(ptr!, len!));
    }],
    // Panic messages go to a registry the CLI reads; the thrown error is enough for a test.
    ["__wbg_set_message_", () => undefined],
    ["__wbindgen_init_externref_table", () => {
      const table = exports!.__wbindgen_externrefs;
      const offset = table.grow(4);
      table.set(0, undefined);
      table.set(offset + 0, undefined);
      table.set(offset + 1, null);
      table.set(offset + 2, true);
      table.set(offset + 3, false);
    }],
  ];
  const imports: Record<string, Record<string, (...args: number[]) => unknown>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const impl = known.find(([prefix]) => imp.name.startsWith(prefix));
    if (!impl) throw new Error(`prisma_schema_build_bg.wasm needs an import this loader does not know: ${imp.module}.${imp.name}`);
    (imports[imp.module] ??= {})[imp.name] = impl[1];
  }
  exports = new WebAssembly.Instance(module, imports).exports as unknown as WasmExports;
  exports.__wbindgen_start();
  return exports;
}

let wasm: WasmExports | undefined;

/** The DMMF datamodel of a Prisma schema (the text of schema.prisma). */
export function getDatamodel(schema: string): Datamodel {
  wasm ??= loadSchemaWasm();
  const params = new TextEncoder().encode(JSON.stringify({ prismaSchema: schema, noColor: true }));
  const ptr = wasm.__wbindgen_malloc(params.length, 1) >>> 0;
  new Uint8Array(wasm.memory.buffer, ptr, params.length).set(params);
  const [outPtr, outLen, errIdx, isErr] = wasm.get_dmmf(ptr, params.length);
  if (isErr) {
    const err = wasm.__wbindgen_externrefs.get(errIdx) as unknown;
    wasm.__externref_table_dealloc(errIdx);
    throw err instanceof Error ? err : new Error(String(err));
  }
  try {
    const json = new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, outPtr >>> 0, outLen));
    return (JSON.parse(json) as { datamodel: Datamodel }).datamodel;
  } finally {
    wasm.__wbindgen_free(outPtr, outLen, 1);
  }
}

export function readProjectDatamodel(file = path.resolve("prisma", "schema.prisma")): Datamodel {
  return getDatamodel(readFileSync(file, "utf8"));
}
