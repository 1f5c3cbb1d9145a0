"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { bucketLabel, bucketTitle } from "@/lib/dashboard/format";
import type { Outcome, SeriesPoint } from "@/lib/dashboard/series";
import { OUTCOME_STYLE } from "./outcome-style";

/**
 * Deliveries per bucket, stacked by outcome. The chart is one image to assistive technology
 * (`summary` is its name); the page renders the same numbers as a table for screen readers, so
 * recharts' own keyboard layer is turned off rather than offering a second, weaker way in.
 */
export function DeliveriesChart({ points, unit, outcomes, summary }: { points: SeriesPoint[]; unit: "hour" | "day"; outcomes: Outcome[]; summary: string }) {
  return (
    <div role="img" aria-label={summary} className="h-72 w-full">
      <BarChart responsive data={points} style={{ width: "100%", height: "100%" }} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
        <CartesianGrid vertical={false} stroke="#e2e8f0" />
        <XAxis
          dataKey="start"
          tickFormatter={(start: string) => bucketLabel(start, unit)}
          tick={{ fontSize: 12, fill: "#64748b" }}
          tickLine={false}
          axisLine={{ stroke: "#cbd5e1" }}
          minTickGap={12}
        />
        <YAxis allowDecimals={false} width={40} tick={{ fontSize: 12, fill: "#64748b" }} tickLine={false} axisLine={false} />
        <Tooltip
          labelFormatter={(start) => bucketTitle(String(start), unit)}
          cursor={{ fill: "#f1f5f9" }}
          contentStyle={{ fontSize: 12, borderRadius: 6, borderColor: "#e2e8f0" }}
        />
        {/* In stacking order (recharts sorts by name by default); names in text colour, not the series' pale one. */}
        <Legend iconType="square" itemSorter={null} wrapperStyle={{ fontSize: 12 }} formatter={(value) => <span className="text-slate-600">{value}</span>} />
        {outcomes.map((o) => (
          <Bar key={o} dataKey={o} name={OUTCOME_STYLE[o].label} stackId="deliveries" fill={OUTCOME_STYLE[o].color} isAnimationActive={false} maxBarSize={48} />
        ))}
      </BarChart>
    </div>
  );
}
