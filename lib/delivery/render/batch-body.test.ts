import { describe, expect, it } from "vitest";
import { batchBody, batchHeaders, csvBatchBody, jsonBatchBody } from "./batch-body";

describe("batch bodies", () => {
  it("joins the bodies into one JSON array, each body's bytes as rendered", () => {
    const bodies = ['{"a":1}', '{ "b": "x" }'];
    expect(jsonBatchBody(bodies)).toBe('[{"a":1},{ "b": "x" }]');
    expect(JSON.parse(jsonBatchBody(bodies))).toEqual([{ a: 1 }, { b: "x" }]);
    expect(batchBody(bodies, "json")).toEqual({ body: '[{"a":1},{ "b": "x" }]', contentType: "application/json" });
  });

  it("writes CSV with a header row of every key in first-seen order, one row per body, empty cells for missing keys", () => {
    const csv = csvBatchBody(['{"first":"Ada","email":"a@x.test"}', '{"email":"b@x.test","phone":"+1 555","first":null}']);
    expect(csv).toBe("first,email,phone\r\nAda,a@x.test,\r\n,b@x.test,+1 555\r\n");
    expect(batchBody(['{"a":1}'], "csv")).toEqual({ body: "a\r\n1\r\n", contentType: "text/csv; charset=utf-8" });
  });

  it("quotes per RFC 4180 and writes nested values as JSON text", () => {
    const csv = csvBatchBody([JSON.stringify({ name: 'Ada "The" Count', note: "line 1\nline 2", tags: ["a", "b"], addr: { city: "Paris, FR" }, n: 3, ok: true })]);
    expect(csv).toBe('name,note,tags,addr,n,ok\r\n"Ada ""The"" Count","line 1\nline 2","[""a"",""b""]","{""city"":""Paris, FR""}",3,true\r\n');
  });

  it("keeps a body that is not a JSON object whole, under the key body", () => {
    expect(csvBatchBody(["plain text", "[1,2]"])).toBe('body\r\nplain text\r\n"[1,2]"\r\n');
  });

  it("sets the batch's Content-Type whatever case the rule's header had, keeping the other headers", () => {
    expect(batchHeaders({ "content-type": "application/json", "X-Key": "k" }, "text/csv")).toEqual({ "X-Key": "k", "Content-Type": "text/csv" });
  });
});
