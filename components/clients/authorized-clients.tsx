"use client";

import { useRef } from "react";
import { FormAlert } from "../auth/form-alert";
import { ConfirmButton } from "../dashboard/confirm-button";
import { describeMutationError, formatDateTime } from "../dashboard/format";
import { cell, emptyBox, headerCell, table, tableWrapper } from "../dashboard/table-styles";
import { api } from "../trpc";

export function AuthorizedClients() {
  const utils = api.useUtils();
  const clients = api.aiClient.listAuthorized.useQuery();
  const heading = useRef<HTMLHeadingElement>(null);
  const revoke = api.aiClient.revoke.useMutation({
    onSuccess: () => utils.aiClient.listAuthorized.invalidate(),
  });

  return (
    <section aria-labelledby="authorized-clients" className="space-y-3">
      <h2
        ref={heading}
        id="authorized-clients"
        tabIndex={-1}
        className="text-lg font-semibold text-slate-900 focus:outline-none"
      >
        Authorized AI clients
      </h2>
      <FormAlert message={describeMutationError(revoke.error)} />
      {clients.isPending ? (
        <p className="text-sm text-slate-600">Loading clients…</p>
      ) : clients.error ? (
        <FormAlert message={describeMutationError(clients.error)} />
      ) : clients.data.length === 0 ? (
        <div className={emptyBox}>
          <p className="text-base font-medium text-slate-900">No authorized clients</p>
          <p className="mt-2">
            Clients such as Claude Code, Cursor or VS Code appear here after you approve them on the consent
            screen, with the instances and scopes each may use.
          </p>
        </div>
      ) : (
        <div className={tableWrapper}>
          <table className={table}>
            <caption className="sr-only">AI clients you have authorized</caption>
            <thead className="bg-slate-50">
              <tr>
                {["Client", "Instance and scopes", "Consented", "Last token issued"].map((h) => (
                  <th key={h} scope="col" className={headerCell}>
                    {h}
                  </th>
                ))}
                <th scope="col" className={headerCell}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {clients.data.map((client) => (
                <tr key={client.id}>
                  <td className={cell}>
                    <div className="font-medium text-slate-900">{client.name}</div>
                    <div className="text-xs text-slate-500">{client.origin}</div>
                  </td>
                  <td className={cell}>
                    <ul className="space-y-1">
                      {client.instances.map((item) => (
                        <li key={item.instanceId}>
                          <span className="font-medium">{item.instanceName}</span>{" "}
                          <span className="font-mono text-xs text-slate-500">{item.scopes.join(" ")}</span>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className={cell}>
                    <ul className="space-y-1">
                      {client.instances.map((item) => (
                        <li key={item.instanceId}>{formatDateTime(item.consentedAt, "—")}</li>
                      ))}
                    </ul>
                  </td>
                  <td className={cell}>{formatDateTime(client.lastUsedAt)}</td>
                  <td className={`${cell} text-right`}>
                    <ConfirmButton
                      label="Revoke"
                      ariaLabel={`Revoke ${client.name}`}
                      title={`Revoke ${client.name}?`}
                      confirmLabel="Revoke access"
                      disabled={revoke.isPending}
                      onConfirm={() => revoke.mutate({ clientId: client.id })}
                      focusAfterRemoval={heading}
                    >
                      Its tokens stop working at once, for all your instances. It must ask for your consent
                      again to reconnect.
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
