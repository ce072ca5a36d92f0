"use client";

import { useRef } from "react";
import { FormAlert } from "../auth/form-alert";
import { ConfirmButton } from "../dashboard/confirm-button";
import { DataTable } from "../dashboard/data-table";
import { EmptyListBox } from "../dashboard/empty-list-box";
import { describeMutationError, formatDateTime } from "../dashboard/format";
import { ListQueryResult } from "../dashboard/list-query-result";
import { cell } from "../dashboard/table-styles";
import { refreshAfterMutation } from "../refresh-after-mutation";
import { api } from "../trpc";

export function AuthorizedClients() {
  const utils = api.useUtils();
  const clients = api.aiClient.listAuthorized.useQuery();
  const heading = useRef<HTMLHeadingElement>(null);
  const revoke = api.aiClient.revoke.useMutation({
    onSuccess: () => refreshAfterMutation(utils.aiClient.listAuthorized),
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
      <ListQueryResult
        query={clients}
        loadingText="Loading clients…"
        empty={
          <EmptyListBox title="No authorized clients">
            Clients such as Claude Code, Cursor or VS Code appear here after you approve them on the consent
            screen, with the instances and scopes each may use.
          </EmptyListBox>
        }
      >
        {(list) => (
          <DataTable
            caption="AI clients you have authorized"
            columns={["Client", "Instance and scopes", "Consented", "Last token issued"]}
            hasActions
          >
            {list.map((client) => (
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
                    action="Revoke"
                    target={client.name}
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
          </DataTable>
        )}
      </ListQueryResult>
    </section>
  );
}
