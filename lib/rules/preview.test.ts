import { describe, expect, it } from "vitest";
import { emptyAuthForm } from "@/lib/rules/form/credentials";
import { emptyRequestForm } from "@/lib/rules/form/request";
import { withQueryKey } from "../delivery/transport/auth/api-key";
import { MASK, previewRequest } from "./preview";

describe("the preview of an API key in the query", () => {
  it("shows the URL as the sender builds it: the rule's own query kept byte for byte", () => {
    const url = "https://crm.example.com/h?q=a%20b&x=~";
    const res = previewRequest({
      organization: { id: "org_1", name: "Acme" }, trigger: "lead.created", url, request: emptyRequestForm(),
      auth: { ...emptyAuthForm(), type: "API_KEY", keyName: "api_key", keyIn: "query" }, signatureScheme: "STANDARD",
    });
    expect(res.ok && res.url).toBe(withQueryKey(url, "api_key", MASK));
    expect(res.ok && res.url).toMatch(/^https:\/\/crm\.example\.com\/h\?q=a%20b&x=~&api_key=/);
  });
});
