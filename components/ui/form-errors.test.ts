import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { toast } from "sonner";
import { applyResult, messageAt, onlyFields, setServerErrors } from "./form-errors";

// Toasts are watched, not shown (no DOM here).
const toastError = vi.spyOn(toast, "error").mockImplementation(() => "");
afterAll(() => toastError.mockRestore());

type Values = { name: string; email: string; items: { label: string }[] };

describe("messageAt", () => {
  it("reads a field's message at a dotted path, or a list's own (root) message", () => {
    const errors = { name: { type: "server", message: "Taken" }, items: { root: { message: "Too many" }, 1: { label: { message: "Required" } } } };
    expect(messageAt(errors, "name")).toBe("Taken");
    expect(messageAt(errors, "items")).toBe("Too many");
    expect(messageAt(errors, "items.1.label")).toBe("Required");
    expect(messageAt(errors, "email")).toBeUndefined();
  });
});

describe("setServerErrors", () => {
  it("puts each key's first message on its field and returns the messages of keys without one", () => {
    const setError = vi.fn();
    const result = setServerErrors<Values>({ name: ["Taken", "Too short"], _form: ["Try later"], other: ["A", "B"] }, setError, onlyFields<Values>(["name", "email"]), { shouldFocus: true });
    expect(setError.mock.calls).toEqual([["name", { type: "server", message: "Taken" }, { shouldFocus: true }]]);
    expect(result).toEqual({ placed: true, unplaced: ["Try later", "A", "B"] });
  });

  it("maps keys through fieldOf (a nested key onto its field) and places nothing without errors", () => {
    const setError = vi.fn();
    expect(setServerErrors<Values>({ "items.2.label": ["Required"] }, setError, () => "items")).toEqual({ placed: true, unplaced: [] });
    expect(setError).toHaveBeenCalledWith("items", { type: "server", message: "Required" }, undefined);
    expect(setServerErrors<Values>(undefined, setError, () => "name")).toEqual({ placed: false, unplaced: [] });
  });
});

describe("applyResult", () => {
  beforeEach(() => toastError.mockClear());

  it("is true for a success and touches nothing", () => {
    const setError = vi.fn();
    expect(applyResult({ ok: true, data: 1 }, setError, ["name"])).toBe(true);
    expect(setError).not.toHaveBeenCalled();
    expect(toast.error).not.toHaveBeenCalled();
  });

  it("puts field errors on the listed fields; a conflict shown on a field needs no toast", () => {
    const setError = vi.fn();
    expect(applyResult<null, Values>({ ok: false, code: "conflict", error: "Name in use", fieldErrors: { name: ["Name in use"] } }, setError, ["name"])).toBe(false);
    expect(setError).toHaveBeenCalledWith("name", { type: "server", message: "Name in use" }, undefined);
    expect(toast.error).not.toHaveBeenCalled();
  });

  it("toasts the error when no field took it, and for invalid input", () => {
    expect(applyResult<null, Values>({ ok: false, code: "conflict", error: "Gone", fieldErrors: { other: ["x"] } }, vi.fn(), ["name"])).toBe(false);
    expect(applyResult<null, Values>({ ok: false, code: "invalid", error: "Please correct the highlighted fields.", fieldErrors: { name: ["Required"] } }, vi.fn(), ["name"])).toBe(false);
    expect(toastError.mock.calls).toEqual([["Gone"], ["Please correct the highlighted fields."]]);
  });
});
