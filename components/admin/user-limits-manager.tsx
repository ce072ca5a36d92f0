"use client";

import { keepPreviousData } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { FormAlert } from "../auth/form-alert";
import { TextField } from "../auth/text-field";
import { secondaryButton } from "../button-styles";
import { DataTable } from "../dashboard/data-table";
import { EmptyListBox } from "../dashboard/empty-list-box";
import { describeMutationError, formatDate } from "../dashboard/format";
import { cell } from "../dashboard/table-styles";
import { refreshAfterMutation } from "../refresh-after-mutation";
import { api } from "../trpc";
import { UserLimitForm } from "./user-limit-form";

type EditedUser = { id: string; email: string; mcpRequestLimit: number | null };

/** Every user with their /mcp limit, searchable by email, and the form that changes one. */
export function UserLimitsManager() {
  const utils = api.useUtils();
  const [search, setSearch] = useState("");
  const [email, setEmail] = useState("");
  const [page, setPage] = useState(1);
  const [edited, setEdited] = useState<EditedUser | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const users = api.admin.users.useQuery({ email, page }, { placeholderData: keepPreviousData });
  const data = users.data;
  const lastPage = data ? Math.max(1, Math.ceil(data.total / data.pageSize)) : 1;

  function handleSearch(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setEmail(search.trim());
    setPage(1);
  }

  return (
    <div className="space-y-4">
      <form
        aria-label="Search users"
        className="flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4"
        onSubmit={handleSearch}
      >
        <div className="min-w-64 flex-1">
          <TextField
            label="Email contains"
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            maxLength={254}
          />
        </div>
        <button type="submit" className={secondaryButton}>
          Search
        </button>
      </form>

      {notice ? (
        <p
          role="status"
          className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
        >
          {notice}
        </p>
      ) : null}

      {edited && data ? (
        <UserLimitForm
          key={edited.id}
          user={edited}
          defaultLimit={data.defaultLimit}
          window={data.window}
          takesEffectWithinSeconds={data.takesEffectWithinSeconds}
          onCancel={() => setEdited(null)}
          onDone={async (message) => {
            setEdited(null);
            setNotice(message);
            await refreshAfterMutation(utils.admin.users);
          }}
        />
      ) : null}

      {users.error ? (
        <FormAlert message={describeMutationError(users.error)} />
      ) : !data ? (
        <p className="text-sm text-slate-600">Loading users…</p>
      ) : data.users.length === 0 ? (
        <EmptyListBox title="No users">
          {email ? `No account's email contains “${email}”.` : "Nobody has an account yet."}
        </EmptyListBox>
      ) : (
        <>
          <p className="text-sm text-slate-600">
            Default: {data.defaultLimit.toLocaleString("en")} /mcp requests per {data.window} and user (the
            mcpRequest policy, RATE_LIMIT_MCP_REQUEST). {data.total.toLocaleString("en")}{" "}
            {data.total === 1 ? "user" : "users"}.
          </p>
          <DataTable
            caption="Users and their /mcp limits"
            columns={["Email", "Name", "Joined", "/mcp limit"]}
            hasActions
          >
            {data.users.map((user) => (
              <tr key={user.id}>
                <td className={`${cell} font-medium text-slate-900`}>{user.email}</td>
                <td className={cell}>{user.name ?? "—"}</td>
                <td className={cell}>{formatDate(user.createdAt)}</td>
                <td className={cell}>
                  {user.effectiveLimit.toLocaleString("en")} per {data.window}
                  <div className="text-xs text-slate-500">
                    {user.mcpRequestLimit === null ? "default" : "set by an operator"}
                  </div>
                </td>
                <td className={`${cell} text-right`}>
                  <button
                    type="button"
                    className={`${secondaryButton} px-3 py-1.5 text-xs`}
                    aria-label={`Change the /mcp limit of ${user.email}`}
                    onClick={() => {
                      setNotice(null);
                      setEdited({ id: user.id, email: user.email, mcpRequestLimit: user.mcpRequestLimit });
                    }}
                  >
                    Change
                  </button>
                </td>
              </tr>
            ))}
          </DataTable>
        </>
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
        <span className="text-sm text-slate-600">
          Page {page} of {lastPage}
        </span>
        <button
          type="button"
          className={secondaryButton}
          disabled={page >= lastPage}
          onClick={() => setPage(page + 1)}
        >
          Next
        </button>
      </nav>
    </div>
  );
}
