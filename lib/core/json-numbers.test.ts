import { describe, expect, it } from "vitest";
import { inexactNumbers, isExactNumber } from "./json-numbers";

describe("isExactNumber", () => {
  it.each([
    "0", "1", "-1", "42", "1.5", "0.1", "1.0", "1e2", "1E+2", "100e-2", "-2.50", "0.30000000000000004", "123456789012345",
    "9007199254740991", "-9007199254740991", "5e-324", "1.7976931348623157e-300", "3.14159", "0.0", "0e10",
  ])("keeps %s", (token) => expect(isExactNumber(token)).toBe(true));

  it.each([
    "9007199254740992", "9007199254740993", "-9007199254740993", "1152921506151679042", "18446744073709551615",
    "0.1000000000000000055511151231257827", "3.141592653589793238462643383279", "1.00000000000000001", "0.30000000000000000001",
    "1e400", "-1e400", "1e16", "1.5e300", "4e-400", "1e-400", "-0", "-0.0", "-0e5",
  ])("refuses %s", (token) => expect(isExactNumber(token)).toBe(false));
});

describe("inexactNumbers", () => {
  it("names each changed number by its path, as the API's error fields do", () => {
    const raw = '{"email":"x@example.com","customFields":{"ext_id":9007199254740993,"ok":12,"note":"1e400 in a string"},"list":[1,{"deep":[0.1,1e999]}],"a\\"b":-0}';
    expect(inexactNumbers(raw)).toEqual([
      { path: "customFields.ext_id", token: "9007199254740993" },
      { path: "list.1.deep.1", token: "1e999" },
      { path: 'a"b', token: "-0" },
    ]);
  });

  it("reads whitespace, literals and a bare number", () => {
    expect(inexactNumbers(' { "a" : [ true , null , false , 2 ] , "b" : 1152921506151679042 } ')).toEqual([{ path: "b", token: "1152921506151679042" }]);
    expect(inexactNumbers("12345678901234567890")).toEqual([{ path: "_body", token: "12345678901234567890" }]);
    expect(inexactNumbers('{"s":"\\\\","n":3}')).toEqual([]);
  });
});
