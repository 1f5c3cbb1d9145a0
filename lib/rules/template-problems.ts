import { isUrlTemplate } from "@/lib/domain/rule/request";
import { templateContext } from "@/lib/delivery/render/context";
import { RenderError } from "@/lib/delivery/render/errors";
import { TemplateError, textTemplates } from "@/lib/delivery/render/liquid";
import { applyMappings, type MappedFields } from "@/lib/delivery/render/mapping";
import { sampleEnvelope } from "@/lib/domain/sample";
import { renderUrl } from "@/lib/delivery/render/url";
import type { RequestFormValues } from "./form/request";

// Form validation for the Request tab's templates: each one is parsed and rendered against the
// sample lead, so a syntax error, an unknown filter or a URL that does not come out absolute is
// reported under its field when the rule is saved, not when the first real lead fails.

const SAMPLE_ORG = { id: "org_sample", name: "Sample Organization" };

export type TemplateProblems = Record<string, string[]>;

function message(err: unknown, what: string): string {
  if (err instanceof TemplateError) return err.describe(what);
  if (err instanceof RenderError) return err.message;
  return `${what} could not be rendered: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Problems keyed by form path ("url", "timeWindow.alternateUrl", "fieldMappings.2.value",
 * "payloadTemplate"); empty when every template renders. `eventType` picks the sample event
 * (note and changes are present only for the events that carry them).
 */
export function templateProblems(values: RequestFormValues & { url: string }, eventType = "lead.created"): TemplateProblems {
  const problems: TemplateProblems = {};
  const add = (path: string, text: string) => (problems[path] ??= []).push(text);
  const ctx = templateContext(sampleEnvelope(SAMPLE_ORG, eventType));

  const checkUrl = (path: string, url: string) => {
    if (!isUrlTemplate(url)) return;
    try {
      renderUrl(url, ctx);
    } catch (err) {
      add(path, message(err, "The URL template"));
    }
  };
  checkUrl("url", values.url.trim());
  if (values.timeWindow.enabled && values.timeWindow.outside === "alternate") checkUrl("timeWindow.alternateUrl", values.timeWindow.alternateUrl.trim());

  let mappingFailed = false;
  if (values.mappingMode === "custom") {
    values.fieldMappings.forEach((m, i) => {
      if (m.source !== "template") return;
      try {
        textTemplates.render(m.value, ctx);
      } catch (err) {
        mappingFailed = true;
        add(`fieldMappings.${i}.value`, message(err, "The template"));
      }
    });
  }

  if ((values.payloadFormat === "XML" || values.payloadFormat === "TEMPLATE") && values.payloadTemplate.trim()) {
    let fields: MappedFields | null = {};
    try {
      // The body template sees the mapped fields; when a mapping itself fails (reported above)
      // the body is still checked, against no fields.
      if (!mappingFailed) fields = applyMappings({ mode: values.mappingMode, fields: values.fieldMappings }, ctx);
    } catch {
      fields = {};
    }
    try {
      textTemplates.render(values.payloadTemplate, { ...ctx, fields: fields ?? {} });
    } catch (err) {
      add("payloadTemplate", message(err, values.payloadFormat === "XML" ? "The XML template" : "The template"));
    }
  }
  return problems;
}
