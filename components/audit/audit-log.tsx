"use client";

import { keepPreviousData } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import type { AppRouter } from "@/server/api/root";
import { AUDIT_EVENT_TYPES, AUDIT_OUTCOMES } from "@/server/audit/audit-event";
import { AUDIT_DATE_RANGE_MESSAGE } from "@/server/audit/audit-log-schemas";
import { FormAlert } from "../auth/form-alert";
import { TextField } from "../auth/text-field";
import { secondaryButton } from "../button-styles";
import { DataTable } from "../dashboard/data-table";
import { EmptyListBox } from "../dashboard/empty-list-box";
import { describeMutationError, formatDateTime, formatDuration, getFieldErrors } from "../dashboard/format";
import { SelectField } from "../dashboard/select-field";
import { cell } from "../dashboard/table-styles";
import { api } from "../trpc";
import { AUDIT_EVENT_LABELS } from "./audit-event-labels";

const OUTCOME_STYLE: Record<(typeof AUDIT_OUTCOMES)[number], string> = {
  SUCCESS: "bg-emerald-50 text-emerald-800",
  FAILURE: "bg-red-50 text-red-800",
  DENIED: "bg-amber-50 text-amber-900",
};

type Filters = {
  eventType: string;
  outcome: string;
  clientId: string;
  instanceId: string;
  fromDay: string;
  toDay: string;
};

const NO_FILTERS: Filters = {
  eventType: "",
  outcome: "",
  clientId: "",
  instanceId: "",
  fromDay: "",
  toDay: "",
};

function isEventType(value: string): value is (typeof AUDIT_EVENT_TYPES)[number] {
  return (AUDIT_EVENT_TYPES as readonly string[]).includes(value);
}

/** An event type in words; a type this page does not know (an older row) shows as it is. */
function describeEventType(eventType: string): string {
  return isEventType(eventType) ? AUDIT_EVENT_LABELS[eventType] : eventType;
}

type AuditEvent = inferRouterOutputs<AppRouter>["audit"]["list"]["events"][number];

/**
 * Who made the request: Tumiki's own client by name, else the API key or external client a tool call used.
 */
function Caller({ event }: { event: AuditEvent }) {
  const client = event.clientName ?? event.clientId;
  if (client) return <>{client}</>;
  const [name, kind] = event.apiKeyId
    ? [event.apiKeyName ?? "Deleted key", "API key"]
    : event.externalClientId
      ? [event.externalClientId, "External token"]
      : [null, null];
  if (!name) return <>—</>;
  return (
    <>
      <div>{name}</div>
      <div className="text-xs text-slate-500">{kind}</div>
    </>
  );
}

function isOutcome(value: string): value is (typeof AUDIT_OUTCOMES)[number] {
  return (AUDIT_OUTCOMES as readonly string[]).includes(value);
}

export function AuditLog() {
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [page, setPage] = useState(1);
  const instances = api.instance.list.useQuery();
  // Every client the log names, revoked and deleted ones included, so their history can be filtered.
  const clients = api.audit.clients.useQuery();
  // <input type="date"> values compare as strings. Checked here so the message sits at the field; the
  // server refuses the same range with the same message.
  const rangeError =
    filters.fromDay && filters.toDay && filters.fromDay > filters.toDay
      ? AUDIT_DATE_RANGE_MESSAGE
      : undefined;
  const events = api.audit.list.useQuery(
    {
      page,
      eventType: isEventType(filters.eventType) ? filters.eventType : undefined,
      outcome: isOutcome(filters.outcome) ? filters.outcome : undefined,
      clientId: filters.clientId || undefined,
      instanceId: filters.instanceId || undefined,
      // Whole days in the user's time zone: from the first moment of "from" to the last of "to".
      from: filters.fromDay ? new Date(`${filters.fromDay}T00:00:00`) : undefined,
      to: filters.toDay ? new Date(`${filters.toDay}T23:59:59.999`) : undefined,
    },
    { placeholderData: keepPreviousData, enabled: !rangeError },
  );
  const fieldErrors = getFieldErrors(events.error);

  function update(patch: Partial<Filters>) {
    setFilters({ ...filters, ...patch });
    setPage(1);
  }

  return (
    <div className="space-y-4">
      <form
        aria-label="Filters"
        className="grid gap-3 rounded-xl border border-slate-200 bg-white p-4 sm:grid-cols-3"
        onSubmit={(event) => event.preventDefault()}
      >
        <SelectField
          label="Event type"
          value={filters.eventType}
          onChange={(event) => update({ eventType: event.target.value })}
          options={[
            { value: "", label: "All types" },
            ...AUDIT_EVENT_TYPES.map((t) => ({ value: t, label: AUDIT_EVENT_LABELS[t] })),
          ]}
        />
        <SelectField
          label="Outcome"
          value={filters.outcome}
          onChange={(event) => update({ outcome: event.target.value })}
          options={[
            { value: "", label: "All outcomes" },
            ...AUDIT_OUTCOMES.map((o) => ({ value: o, label: o })),
          ]}
        />
        <SelectField
          label="Client"
          value={filters.clientId}
          onChange={(event) => update({ clientId: event.target.value })}
          options={[{ value: "", label: "All clients" }, ...(clients.data ?? [])]}
        />
        <SelectField
          label="Instance"
          value={filters.instanceId}
          onChange={(event) => update({ instanceId: event.target.value })}
          options={[
            { value: "", label: "All instances" },
            ...(instances.data ?? []).map((instance) => ({ value: instance.id, label: instance.name })),
          ]}
        />
        <TextField
          label="From"
          type="date"
          value={filters.fromDay}
          onChange={(event) => update({ fromDay: event.target.value })}
        />
        <TextField
          label="To"
          type="date"
          value={filters.toDay}
          onChange={(event) => update({ toDay: event.target.value })}
          error={rangeError ?? fieldErrors.to}
        />
        <div className="sm:col-span-3">
          <button
            type="button"
            className={`${secondaryButton} px-3 py-1.5 text-xs`}
            onClick={() => update(NO_FILTERS)}
          >
            Clear filters
          </button>
        </div>
      </form>

      {rangeError ? null : events.error ? (
        <FormAlert message={fieldErrors.to ? null : describeMutationError(events.error)} />
      ) : !events.data ? (
        <p className="text-sm text-slate-600">Loading events…</p>
      ) : events.data.events.length === 0 ? (
        <EmptyListBox title="No events">
          {page > 1 ? "There are no more events." : "Nothing matches these filters yet."} Sign-ins, consents,
          token refreshes and failures on your account are recorded here. Tool arguments and results never
          are.
        </EmptyListBox>
      ) : (
        <DataTable
          caption="Audit events, newest first"
          columns={["Time", "Event", "Outcome", "Client", "Instance", "Details", "Address"]}
        >
          {events.data.events.map((event) => (
            <tr key={event.id}>
              <td className={`${cell} whitespace-nowrap`}>{formatDateTime(event.createdAt)}</td>
              <td className={cell}>
                <div>{describeEventType(event.eventType)}</div>
                <div className="font-mono text-xs text-slate-500">{event.eventType}</div>
              </td>
              <td className={cell}>
                <span
                  className={`rounded-full px-2 py-0.5 text-xs font-medium ${OUTCOME_STYLE[event.outcome]}`}
                >
                  {event.outcome}
                </span>
              </td>
              <td className={cell}>
                <Caller event={event} />
              </td>
              <td className={cell}>{event.instanceName ?? event.instanceId ?? "—"}</td>
              <td className={`${cell} text-xs`}>
                {event.tool ? <div className="font-mono text-slate-900">{event.tool}</div> : null}
                {[
                  event.reason,
                  event.serverName,
                  event.durationMs === null ? null : formatDuration(event.durationMs),
                ]
                  .filter(Boolean)
                  .join(" · ") || (event.tool ? null : "—")}
              </td>
              <td className={`${cell} font-mono text-xs`}>{event.ip ?? "—"}</td>
            </tr>
          ))}
        </DataTable>
      )}

      <nav aria-label="Pagination" className="flex items-center justify-between">
        <button
          type="button"
          className={secondaryButton}
          disabled={page <= 1}
          onClick={() => setPage(Math.max(1, page - 1))}
        >
          Previous
        </button>
        <span className="text-sm text-slate-600">Page {page}</span>
        <button
          type="button"
          className={secondaryButton}
          disabled={Boolean(rangeError) || !events.data?.hasNextPage}
          onClick={() => setPage(page + 1)}
        >
          Next
        </button>
      </nav>
    </div>
  );
}
