import type { OpenApiOperation, OpenApiParameter } from "@/lib/api/openapi";
import { cn } from "@/components/ui/cn";
import { curlExample } from "./curl";
import { FieldsTable } from "./fields-table";
import { schemaRows, type FieldRow } from "./schema-rows";

type Schema = Record<string, unknown>;

const METHOD_TONES: Record<string, string> = {
  get: "bg-sky-50 text-sky-800 ring-sky-600/20",
  post: "bg-emerald-50 text-emerald-800 ring-emerald-600/20",
  patch: "bg-amber-50 text-amber-800 ring-amber-600/20",
  delete: "bg-red-50 text-red-800 ring-red-600/20",
};

export function MethodBadge({ method }: { method: string }) {
  return (
    <span className={cn("inline-block w-16 rounded px-1.5 py-0.5 text-center font-mono text-xs font-semibold uppercase ring-1 ring-inset", METHOD_TONES[method] ?? "bg-slate-100 text-slate-700 ring-slate-500/20")}>
      {method}
    </span>
  );
}

function parameterRows(params: OpenApiParameter[]): FieldRow[] {
  return params.map((p) => {
    const s = p.schema;
    const type = Array.isArray(s.enum) ? s.enum.map((v) => JSON.stringify(v)).join(" | ") : typeof s.type === "string" ? s.type : "string";
    const notes = [`In the ${p.in === "header" ? "headers" : p.in}`];
    if (s.default !== undefined) notes.push(`Default: ${JSON.stringify(s.default)}`);
    return { name: p.name, type, required: p.required, description: p.description ?? null, notes };
  });
}

interface Props {
  method: string;
  path: string;
  op: OpenApiOperation;
  baseUrl: string;
  resolve: (s: Schema) => Schema;
  responses: Record<string, { description?: string }>;
}

export function OperationSection({ method, path, op, baseUrl, resolve, responses }: Props) {
  const headingId = `${op.operationId}-title`;
  const body = op.requestBody?.content["application/json"];
  const params = op.parameters ?? [];
  const curl = curlExample(baseUrl, method, path, { auth: op.security === undefined, body: body?.example, pathParams: params.filter((p) => p.in === "path").map((p) => p.name) });

  return (
    <section id={op.operationId} aria-labelledby={headingId} className="scroll-mt-6 rounded-lg bg-white px-5 py-4 shadow-sm ring-1 ring-slate-200">
      <h3 id={headingId} className="flex flex-wrap items-center gap-3 text-base font-semibold text-slate-900">
        <MethodBadge method={method} />
        <code className="font-mono text-sm">{path}</code>
        <span className="font-sans text-sm font-normal text-slate-500">{op.summary}</span>
      </h3>
      {op.description && <p className="mt-3 max-w-4xl text-sm text-slate-700">{op.description}</p>}

      {params.length > 0 && (
        <>
          <h4 className="mb-2 mt-5 text-sm font-semibold text-slate-900">Parameters</h4>
          <FieldsTable rows={parameterRows(params)} caption={`Parameters of ${method.toUpperCase()} ${path}`} />
        </>
      )}

      {body && (
        <>
          <h4 className="mb-2 mt-5 text-sm font-semibold text-slate-900">Request body (JSON)</h4>
          <FieldsTable rows={schemaRows(body.schema, resolve)} caption={`Request body of ${method.toUpperCase()} ${path}`} />
        </>
      )}

      <h4 className="mb-2 mt-5 text-sm font-semibold text-slate-900">Responses</h4>
      <ul className="space-y-2 text-sm">
        {Object.entries(op.responses).map(([status, r]) => {
          const resolved = "$ref" in r ? responses[r.$ref.split("/").pop()!] : r;
          const schema = "$ref" in r ? undefined : r.content?.["application/json"]?.schema;
          const rows = schema && !String((schema as Schema).$ref ?? "").endsWith("/Error") ? schemaRows(schema, resolve) : [];
          return (
            <li key={status}>
              <span className={cn("mr-2 font-mono text-xs font-semibold", status.startsWith("2") ? "text-emerald-700" : "text-red-700")}>{status}</span>
              <span className="text-slate-700">{resolved?.description}</span>
              {rows.length > 0 && (
                <details className="mt-2">
                  <summary className="cursor-pointer text-sm text-brand-700 hover:underline">Fields of the answer</summary>
                  <div className="mt-2">
                    <FieldsTable rows={rows} caption={`Answer ${status} of ${method.toUpperCase()} ${path}`} />
                  </div>
                </details>
              )}
            </li>
          );
        })}
      </ul>

      <h4 className="mb-2 mt-5 text-sm font-semibold text-slate-900">Example</h4>
      <pre className="overflow-x-auto rounded-md bg-slate-900 px-4 py-3 text-xs leading-relaxed text-slate-100">
        <code>{curl}</code>
      </pre>
    </section>
  );
}
