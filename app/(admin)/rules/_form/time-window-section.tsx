"use client";

import { useEffect, useState } from "react";
import { useController, useWatch } from "react-hook-form";
import { Checkbox, Radio } from "@/components/ui/checkbox";
import { fieldId } from "@/components/ui/form-fields";
import { messageAt } from "@/components/ui/form-errors";
import { TextField, useRuleForm } from "./fields";
import { ListError } from "./rows";
import { RuleFormSection } from "./tabs";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;

/** An optional sending window: days, hours and time zone; outside it a delivery waits or goes elsewhere. */
export function RuleFormTimeWindowSection({ idPrefix }: { idPrefix: string }) {
  const { control, register, formState } = useRuleForm();
  const enabled = useWatch({ control, name: "timeWindow.enabled" }) ?? false;
  const outside = useWatch({ control, name: "timeWindow.outside" }) ?? "wait";
  const zonesId = `${idPrefix}-time-zones`;

  return (
    <RuleFormSection
      id={`${idPrefix}-window-heading`}
      title="Sending window"
      description="For endpoints that only take leads during business hours. Outside the window a delivery waits for it to open, or goes to another URL."
    >
      <Checkbox id={fieldId(idPrefix, "timeWindow.enabled")} label="Send only during a time window" {...register("timeWindow.enabled")} />
      {enabled && (
        <div className="space-y-4">
          <DaysField idPrefix={idPrefix} />
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField name="timeWindow.start" label="From" idPrefix={idPrefix} type="time" />
            <TextField name="timeWindow.end" label="Until" idPrefix={idPrefix} type="time" />
            <TextField name="timeWindow.timezone" label="Time zone" idPrefix={idPrefix} list={zonesId} placeholder="America/New_York" />
          </div>
          <TimeZoneList id={zonesId} />
          <fieldset className="space-y-2">
            <legend className="text-sm font-medium text-slate-700">Outside the window</legend>
            <Radio id={fieldId(idPrefix, "timeWindow.outside-wait")} value="wait" label="Wait until it opens" {...register("timeWindow.outside")} />
            <Radio id={fieldId(idPrefix, "timeWindow.outside-alternate")} value="alternate" label="Send to an alternate URL" {...register("timeWindow.outside")} />
          </fieldset>
          {outside === "alternate" && <TextField name="timeWindow.alternateUrl" label="Alternate URL" idPrefix={idPrefix} type="url" inputMode="url" placeholder="https://hooks.example.com/after-hours" />}
          <ListError message={messageAt(formState.errors, "timeWindow")} />
        </div>
      )}
    </RuleFormSection>
  );
}

/** Seven checkboxes editing one array of day numbers (0 = Sunday), kept in week order. */
function DaysField({ idPrefix }: { idPrefix: string }) {
  const { control, formState } = useRuleForm();
  const { field } = useController({ control, name: "timeWindow.days" });
  const days: number[] = Array.isArray(field.value) ? field.value : [];
  const error = messageAt(formState.errors, "timeWindow.days");
  const errorId = `${fieldId(idPrefix, "timeWindow.days")}-error`;

  return (
    <fieldset aria-describedby={error ? errorId : undefined}>
      <legend className="text-sm font-medium text-slate-700">Days</legend>
      <div className="mt-2 flex flex-wrap gap-x-4 gap-y-2">
        {DAYS.map((day, d) => (
          <Checkbox
            key={day}
            id={fieldId(idPrefix, `timeWindow.days-${d}`)}
            ref={d === 0 ? field.ref : undefined}
            label={
              <>
                <span aria-hidden>{day.slice(0, 3)}</span>
                <span className="sr-only">{day}</span>
              </>
            }
            checked={days.includes(d)}
            onBlur={field.onBlur}
            onChange={(e) => field.onChange(e.target.checked ? [...days, d].sort((a, b) => a - b) : days.filter((x) => x !== d))}
          />
        ))}
      </div>
      {error && (
        <p id={errorId} role="alert" className="mt-1 text-xs font-medium text-red-600">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/**
 * The browser's own list of IANA zones. Filled after mount: the server's list may differ from the
 * browser's, and a mismatch in server-rendered markup would fail hydration.
 */
export function TimeZoneList({ id }: { id: string }) {
  const [zones, setZones] = useState<string[]>([]);
  useEffect(() => {
    setZones(typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : []);
  }, []);
  return (
    <datalist id={id}>
      {zones.map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
}
