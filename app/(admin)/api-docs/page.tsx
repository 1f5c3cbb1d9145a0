import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { openApiDocument, type OpenApiOperation } from "@/lib/api/openapi";
import { env } from "@/lib/core/env";
import { InlineCode } from "./inline-code";
import { MethodBadge, OperationSection } from "./operation-section";
import { resolver } from "./schema-rows";

export const metadata: Metadata = { title: "API reference" };

// The REST API's reference, rendered from the same OpenAPI document /api/v1/openapi.json serves
// (itself generated from the schemas the routes validate with), so the page cannot drift from the API.

const tagId = (name: string) => `tag-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;

interface Entry {
  method: string;
  path: string;
  op: OpenApiOperation;
}

export default function ApiDocsPage() {
  const doc = openApiDocument();
  const info = doc.info as { description: string; version: string };
  const tags = doc.tags as { name: string; description: string }[];
  const components = doc.components as Record<string, unknown> & { responses: Record<string, { description?: string }> };
  const resolve = resolver(components);
  const baseUrl = env().NEXTAUTH_URL;

  const byTag = new Map<string, Entry[]>(tags.map((t) => [t.name, []]));
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) byTag.get(op.tags[0] ?? "")?.push({ method, path, op });
  }

  return (
    <>
      <PageHeader
        title="API reference"
        description={`Leadhooks REST API, version ${info.version}. Create API keys in Settings → API keys.`}
        actions={
          <a href="/api/v1/openapi.json" className="text-sm font-medium text-brand-700 hover:underline">
            OpenAPI document (JSON)
          </a>
        }
      />
      <p className="mb-6 max-w-4xl text-sm text-slate-700">
        <InlineCode text={info.description} />
      </p>

      <nav aria-label="Endpoints" className="mb-8 rounded-lg bg-white px-5 py-4 shadow-sm ring-1 ring-slate-200">
        <h2 className="mb-3 text-base font-semibold text-slate-900">Endpoints</h2>
        <div className="grid gap-x-8 gap-y-4 md:grid-cols-2">
          {tags.map((t) => (
            <div key={t.name}>
              <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">{t.name}</h3>
              <ul className="mt-1 space-y-1">
                {(byTag.get(t.name) ?? []).map((e) => (
                  <li key={`${e.method} ${e.path}`}>
                    <a href={`#${e.op.operationId}`} className="flex items-center gap-2 text-sm text-slate-700 hover:text-brand-700">
                      <MethodBadge method={e.method} />
                      <code className="font-mono text-xs">{e.path}</code>
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      </nav>

      {tags.map((t) => (
        <section key={t.name} aria-labelledby={tagId(t.name)} className="mb-10">
          <h2 id={tagId(t.name)} className="text-lg font-semibold text-slate-900">
            {t.name}
          </h2>
          <p className="mb-4 text-sm text-slate-500">{t.description}</p>
          <div className="space-y-6">
            {(byTag.get(t.name) ?? []).map((e) => (
              <OperationSection key={`${e.method} ${e.path}`} method={e.method} path={e.path} op={e.op} baseUrl={baseUrl} resolve={resolve} responses={components.responses} />
            ))}
          </div>
        </section>
      ))}
    </>
  );
}
