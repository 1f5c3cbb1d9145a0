"use client";

import { Card } from "@/components/ui/card";
import type { ReferenceLists } from "@/lib/reference/queries";
import type { ReferenceKindInput } from "@/lib/orgs/settings-schema";
import { ReferenceList } from "./reference-list";

const FLAT_LISTS: { key: Exclude<keyof ReferenceLists, "statuses">; kind: ReferenceKindInput; title: string; addLabel: string }[] = [
  { key: "caseTypes", kind: "CASE_TYPE", title: "Case types", addLabel: "New case type" },
  { key: "offices", kind: "OFFICE", title: "Offices", addLabel: "New office" },
  { key: "opportunitySources", kind: "OPPORTUNITY_SOURCE", title: "Opportunity sources", addLabel: "New opportunity source" },
  { key: "marketingSources", kind: "MARKETING_SOURCE", title: "Marketing sources", addLabel: "New marketing source" },
];

function ListHeading({ id, title, count }: { id: string; title: string; count: number }) {
  return (
    <h3 id={id} className="text-sm font-semibold text-slate-900">
      {title} <span className="font-normal text-slate-500">({count})</span>
    </h3>
  );
}

/** The lists a rule's creation rules choose from; the order here is the order in the rule form. */
export function ReferenceListsSection({ lists, canEdit }: { lists: ReferenceLists; canEdit: boolean }) {
  return (
    <Card title="Reference lists" description="The values leads carry and creation rules match on. An item a rule uses cannot be deleted.">
      <div className="space-y-8">
        <section aria-labelledby="ref-statuses" className="space-y-2">
          <ListHeading id="ref-statuses" title="Lead statuses" count={lists.statuses.length} />
          <ReferenceList
            kind="LEAD_STATUS"
            items={lists.statuses}
            addLabel="New lead status"
            emptyText="No lead statuses yet."
            canEdit={canEdit}
            deleteNote={(s) => (s.substatuses.length ? `Its ${s.substatuses.length} substatus${s.substatuses.length === 1 ? "" : "es"} will be deleted too.` : undefined)}
            renderChildren={(status) => (
              <details className="mt-1 ml-4 rounded-md border-l-2 border-slate-200 pl-3">
                <summary className="cursor-pointer py-1 text-xs font-medium text-slate-600">
                  Substatuses of {status.name} ({status.substatuses.length})
                </summary>
                <ReferenceList
                  kind="LEAD_SUBSTATUS"
                  parentId={status.id}
                  items={status.substatuses}
                  addLabel={`New substatus for ${status.name}`}
                  emptyText="No substatuses."
                  canEdit={canEdit}
                />
              </details>
            )}
          />
        </section>
        <div className="grid gap-8 lg:grid-cols-2">
          {FLAT_LISTS.map(({ key, kind, title, addLabel }) => (
            <section key={key} aria-labelledby={`ref-${key}`} className="space-y-2">
              <ListHeading id={`ref-${key}`} title={title} count={lists[key].length} />
              <ReferenceList kind={kind} items={lists[key]} addLabel={addLabel} emptyText={`No ${title.toLowerCase()} yet.`} canEdit={canEdit} />
            </section>
          ))}
        </div>
      </div>
    </Card>
  );
}
