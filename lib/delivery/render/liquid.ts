import { Liquid, LiquidError, Tag, type FilterImplOptions, type FS, type Template } from "liquidjs";
import { RenderError } from "./errors";
import { csvEscape, digits, padLeft, padRight, xmlEscape } from "./filters";

// The one way Leadhooks builds a liquidjs engine. Templates are written by admins but filled with
// lead data from the public API, so the engine is locked down: no file system (include, render
// and layout are refused when the template is parsed), own properties only (no `constructor` or
// prototype members), unknown filters are errors (a typo must not silently drop a value), and
// parse/render/memory limits bound what one template can cost.

/** Longest template source one parse accepts (the form allows 20,000 characters). */
export const PARSE_LIMIT = 100_000;
/** Milliseconds one render may take; real templates take well under one. */
export const RENDER_LIMIT_MS = 500;
/** liquidjs' allocation units (characters, array items) one render may create. */
export const MEMORY_LIMIT = 10_000_000;
/** Parsed templates kept per engine, keyed by source. */
export const TEMPLATE_CACHE_SIZE = 500;

/** A template that cannot be parsed or rendered; `reason` is liquidjs' message without position. */
export class TemplateError extends RenderError {
  readonly reason: string;
  readonly line: number | null;
  readonly column: number | null;

  constructor(reason: string, line: number | null, column: number | null) {
    super(line === null ? reason : `line ${line}, column ${column}: ${reason}`);
    this.name = "TemplateError";
    this.reason = reason;
    this.line = line;
    this.column = column;
  }

  /** The message for a form field, e.g. `The XML template has an error on line 3: undefined filter: nope.` */
  describe(what: string): string {
    const where = this.line === null ? "" : ` on line ${this.line}`;
    return `${what} has an error${where}: ${this.reason.replace(/\.?$/, ".")}`;
  }
}

type FilterHandler = Extract<FilterImplOptions, (...args: never[]) => unknown>;
type FilterThis = ThisParameterType<FilterHandler>;

const FILE_TAGS = ["include", "render", "layout"] as const;

// Belt and braces: the tags above are replaced, and should anything still reach for a file, this
// file system has none.
const NO_FILES: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => {
    throw new Error("Templates cannot read files.");
  },
  readFileSync: () => {
    throw new Error("Templates cannot read files.");
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

function refusedTag(name: string) {
  return class RefusedTag extends Tag {
    constructor(...args: ConstructorParameters<typeof Tag>) {
      super(...args);
      throw new Error(`{% ${name} %} is not available: a template cannot load other templates or files`);
    }
    render(): void {}
  };
}

/** Charges the render's memory budget for a string a filter builds, then returns it. */
function charged(self: FilterThis, s: string): string {
  self.context.memoryLimit.use(s.length);
  return s;
}

export interface EngineOptions {
  /** Applied to every `{{ }}` output (after its filters); used to URL-encode values in URLs. */
  outputEscape?: (value: unknown) => string;
  /** Filters added or replaced for this engine only. */
  filters?: Record<string, (value: unknown, ...args: unknown[]) => unknown>;
}

export interface TemplateEngine {
  /** Parses (or takes from the cache) and renders; throws TemplateError. */
  render(source: string, scope: object): string;
  /** Parses only, to report syntax errors; throws TemplateError. */
  parse(source: string): void;
}

export function createEngine(options: EngineOptions = {}): TemplateEngine {
  const liquid = new Liquid({
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    parseLimit: PARSE_LIMIT,
    renderLimit: RENDER_LIMIT_MS,
    memoryLimit: MEMORY_LIMIT,
    // The date filter formats in UTC whatever the server's time zone, like the mapping dateFormat.
    timezoneOffset: 0,
    locale: "en-US",
    ...(options.outputEscape ? { outputEscape: options.outputEscape } : {}),
  });
  for (const name of FILE_TAGS) liquid.registerTag(name, refusedTag(name));
  liquid.registerFilter("xml_escape", function (this: FilterThis, v: unknown) {
    return charged(this, xmlEscape(v));
  });
  liquid.registerFilter("csv_escape", function (this: FilterThis, v: unknown, delimiter?: unknown) {
    return charged(this, csvEscape(v, delimiter));
  });
  liquid.registerFilter("pad_left", function (this: FilterThis, v: unknown, width?: unknown, char?: unknown) {
    return charged(this, padLeft(v, width, char));
  });
  liquid.registerFilter("pad_right", function (this: FilterThis, v: unknown, width?: unknown, char?: unknown) {
    return charged(this, padRight(v, width, char));
  });
  liquid.registerFilter("digits", (v: unknown) => digits(v));
  if (options.outputEscape) {
    // With an output escape, `| raw` would switch it off for a value: here it does nothing, so
    // every value is escaped whatever the template says.
    liquid.registerFilter("raw", (v: unknown) => v);
  }
  for (const [name, handler] of Object.entries(options.filters ?? {})) liquid.registerFilter(name, handler);

  const cache = new Map<string, Template[]>();
  const parsed = (source: string): Template[] => {
    const hit = cache.get(source);
    if (hit) {
      // Map keeps insertion order: re-inserting marks the entry as most recently used.
      cache.delete(source);
      cache.set(source, hit);
      return hit;
    }
    const templates = liquid.parse(source);
    cache.set(source, templates);
    if (cache.size > TEMPLATE_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return templates;
  };

  return {
    render(source, scope) {
      try {
        return String(liquid.renderSync(parsed(source), scope));
      } catch (err) {
        throw toTemplateError(err);
      }
    },
    parse(source) {
      try {
        parsed(source);
      } catch (err) {
        throw toTemplateError(err);
      }
    },
  };
}

/** liquidjs appends ", line:3, col:5" to its messages; the position is kept apart instead. */
function toTemplateError(err: unknown): TemplateError {
  if (err instanceof TemplateError) return err;
  if (err instanceof LiquidError) {
    const token = (err as LiquidError & { token?: { getPosition?: () => [number, number] } }).token;
    const position = token?.getPosition?.();
    const reason = err.message.replace(/(, file:[^,]*)?, line:\d+, col:\d+$/, "");
    return new TemplateError(reason, position?.[0] ?? null, position?.[1] ?? null);
  }
  return new TemplateError(err instanceof Error ? err.message : String(err), null, null);
}

/** The engine for bodies and mapping templates: values are written as they are. */
export const textTemplates: TemplateEngine = createEngine();
