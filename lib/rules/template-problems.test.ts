import { describe, expect, it } from "vitest";
import { emptyRequestForm, type RequestFormValues } from "@/lib/rules/form/request";
import { renderRequest } from "@/lib/delivery/render/request";
import { sampleEnvelope } from "@/lib/domain/sample";
import { mapping, testRule } from "@/lib/delivery/render/testing";
import { templateProblems } from "./template-problems";

const form = (values: Partial<RequestFormValues> & { url?: string } = {}) => ({ ...emptyRequestForm(), url: "https://hooks.example.com/leads", ...values });

describe("templateProblems", () => {
  it("a plain rule has none", () => {
    expect(templateProblems(form())).toEqual({});
  });

  it("reports each template under its form path, with the line", () => {
    const problems = templateProblems(
      form({
        url: "https://api.example.com/{{ lead.customFields.region | nope }}",
        mappingMode: "custom",
        fieldMappings: [mapping({ target: "a", value: "lead.email" }), mapping({ target: "b", source: "template", value: "{% if lead.email %}" })],
        payloadFormat: "XML",
        payloadTemplate: "<lead>\n  <id>{{ lead.id }}</id>\n  <x>{{ lead.email | shout }}</x>\n</lead>",
        timeWindow: { ...emptyRequestForm().timeWindow, enabled: true, outside: "alternate", alternateUrl: "{{ lead.email }}" },
      }),
    );
    expect(problems).toEqual({
      url: ["The URL template has an error on line 1: undefined filter: nope."],
      "fieldMappings.1.value": [expect.stringMatching(/^The template has an error on line 1: .*if.* not closed/)],
      payloadTemplate: ["The XML template has an error on line 3: undefined filter: shout."],
      "timeWindow.alternateUrl": [expect.stringMatching(/did not produce an absolute URL/)],
    });
  });

  it("reports a URL that puts a value in the host, and render errors of the body template", () => {
    const problems = templateProblems(form({ url: "https://{{ lead.customFields.region }}.example.com/", payloadFormat: "TEMPLATE", payloadTemplate: "{{ lead.firstName | pad_left }}" }));
    expect(problems.url).toEqual([expect.stringMatching(/must write out the host/)]);
    expect(problems.payloadTemplate).toEqual([expect.stringMatching(/^The template has an error on line 1: pad_left needs a width/)]);
  });

  it("renders the body template with the mapped fields", () => {
    const values = form({ mappingMode: "custom", fieldMappings: [mapping({ target: "name.first", value: "lead.firstName" })], payloadFormat: "TEMPLATE", payloadTemplate: "{{ fields.name.first | pad_left: 3 }}" });
    expect(templateProblems(values)).toEqual({});
  });
});

describe("the sample lead", () => {
  it("is a full lead event of the requested type, for the organization", () => {
    const envelope = sampleEnvelope({ id: "org_9", name: "Acme" }, "lead.note_added");
    expect(envelope.type).toBe("lead.note_added");
    expect(envelope.organization).toEqual({ id: "org_9", name: "Acme" });
    expect(envelope.data.note?.body).toBeTruthy();
    expect(Object.values(envelope.data.lead ?? {}).every((v) => v !== null)).toBe(true);
    expect(sampleEnvelope({ id: "o", name: "A" }, "lead.status_changed").data.changes).toHaveProperty("status");
  });

  it("renders with the default rule", () => {
    const envelope = sampleEnvelope({ id: "org_9", name: "Acme" }, "lead.created");
    const r = renderRequest(testRule(), envelope, new Date());
    expect(r.kind === "send" && r.body).toBe(JSON.stringify(envelope));
  });
});
