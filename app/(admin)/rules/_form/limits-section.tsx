"use client";

import { useWatch } from "react-hook-form";
import { describedBy, Field, Input } from "@/components/ui/field";
import { fieldId } from "@/components/ui/form-fields";
import { messageAt } from "@/components/ui/form-errors";
import { Checkbox, Radio } from "@/components/ui/checkbox";
import { CAP_MAX, RATE_MAX } from "@/lib/domain/rule/limits";
import { SelectField, useRuleForm } from "./fields";
import { TimeZoneList } from "./time-window-section";
import { RuleFormSection } from "./tabs";

type LimitPath = "limits.caps.hour" | "limits.caps.day" | "limits.caps.week" | "limits.caps.month" | "limits.rate.max";

const CAPS: { path: LimitPath; label: string }[] = [
  { path: "limits.caps.hour", label: "Cap per hour" },
  { path: "limits.caps.day", label: "Cap per day" },
  { path: "limits.caps.week", label: "Cap per week" },
  { path: "limits.caps.month", label: "Cap per month" },
];

const RATE_OPTIONS = [
  { value: "second", label: "per second" },
  { value: "minute", label: "per minute" },
];

/** An empty box is no limit (null); anything else is read as a number for the schema to check. */
const optionalNumber = (v: unknown) => (v === "" || v === null || v === undefined ? null : Number(v));

/** An empty time zone box is none of the caps' own (the window's or UTC counts). */
const optionalText = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);

/** On the Request tab: caps per period, what happens once one is reached, a rate limit, and ordering per lead. */
export function RuleFormLimitsSection({ idPrefix }: { idPrefix: string }) {
  const { control, register, formState } = useRuleForm();
  const windowOn = useWatch({ control, name: "timeWindow.enabled" }) ?? false;
  const windowZone = useWatch({ control, name: "timeWindow.timezone" }) ?? "UTC";
  const ownZone = useWatch({ control, name: "limits.timezone" });
  const fallbackZone = windowOn ? windowZone : "UTC";
  const zoneId = fieldId(idPrefix, "limits.timezone");
  const zoneError = messageAt(formState.errors, "limits.timezone");
  const zonesId = `${idPrefix}-cap-time-zones`;

  const numberField = (path: LimitPath, label: string, max: number) => {
    const id = fieldId(idPrefix, path);
    const error = messageAt(formState.errors, path);
    return (
      <Field key={path} label={label} htmlFor={id} error={error}>
        <Input id={id} type="number" inputMode="numeric" min={1} max={max} step={1} placeholder="No limit" aria-invalid={!!error} aria-describedby={describedBy(id, error, false)} {...register(path, { setValueAs: optionalNumber })} />
      </Field>
    );
  };

  return (
    <RuleFormSection
      id={`${idPrefix}-limits-heading`}
      title="Delivery controls"
      description={`Caps on how many leads this rule sends, counted in ${optionalText(ownZone) ?? fallbackZone} (the caps' time zone below, else the sending window's when it is on, else UTC). A delivery counts once, when it is first sent; its retries do not count again. Leave a box empty for no limit.`}
    >
      <div className="space-y-4">
        <div className="grid gap-4 sm:grid-cols-4">{CAPS.map((c) => numberField(c.path, c.label, CAP_MAX))}</div>
        <div className="grid gap-4 sm:grid-cols-4">
          <Field label="Caps' time zone" htmlFor={zoneId} error={zoneError}>
            <Input
              id={zoneId}
              list={zonesId}
              autoComplete="off"
              spellCheck={false}
              placeholder={fallbackZone}
              aria-invalid={!!zoneError}
              aria-describedby={describedBy(zoneId, zoneError, false)}
              {...register("limits.timezone", { setValueAs: optionalText })}
            />
          </Field>
          <TimeZoneList id={zonesId} />
        </div>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-slate-700">When a cap is reached</legend>
          <Radio id={fieldId(idPrefix, "limits.whenCapped-hold")} value="hold" label="Hold new deliveries until the period resets (never dropped)" {...register("limits.whenCapped")} />
          <Radio id={fieldId(idPrefix, "limits.whenCapped-skip")} value="skip" label="Skip them, with the cap as the reason" {...register("limits.whenCapped")} />
        </fieldset>
        <div className="grid gap-4 sm:grid-cols-4">
          {numberField("limits.rate.max", "Rate limit", RATE_MAX)}
          <SelectField name="limits.rate.per" label="Rate limit period" idPrefix={idPrefix} options={RATE_OPTIONS} />
        </div>
        <p className="text-xs text-slate-500">The rate limit holds across every worker; requests over it wait for the next second or minute, they are never dropped.</p>
        <Checkbox
          id={fieldId(idPrefix, "orderedPerLead")}
          label="Send each lead's deliveries in order"
          hint="A lead's later event waits while an earlier one to this rule is still pending or retrying; other leads are not held up."
          {...register("orderedPerLead")}
        />
      </div>
    </RuleFormSection>
  );
}
