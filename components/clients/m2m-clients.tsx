"use client";

import { type FormEvent, useRef, useState } from "react";
import { FormAlert } from "../auth/form-alert";
import { TextField } from "../auth/text-field";
import { ClientForm } from "../client-form";
import { ConfirmButton } from "../dashboard/confirm-button";
import { CopyButton } from "../dashboard/copy-button";
import { DataTable } from "../dashboard/data-table";
import { EmptyListBox } from "../dashboard/empty-list-box";
import { FormErrorAlert } from "../dashboard/form-error-alert";
import { describeMutationError, formatDateTime, getFieldErrors } from "../dashboard/format";
import { InstanceScopeFields } from "../dashboard/instance-scope-fields";
import { ListQueryResult } from "../dashboard/list-query-result";
import { OneTimeSecretPanel } from "../dashboard/one-time-secret-panel";
import { card, cell } from "../dashboard/table-styles";
import { useInstanceScopeChoice } from "../dashboard/use-instance-scope-choice";
import { refreshAfterMutation } from "../refresh-after-mutation";
import { SubmitButton } from "../submit-button";
import { api } from "../trpc";
import { CredentialRow } from "./credential-row";

type Created = { name: string; clientId: string; clientSecret: string; resource: string; scope: string };

function buildCurlExample({ tokenEndpoint, created }: { tokenEndpoint: string; created: Created }): string {
  return [
    `curl -X POST ${tokenEndpoint} \\`,
    `  -u '${created.clientId}:${created.clientSecret}' \\`,
    "  -d grant_type=client_credentials \\",
    `  -d resource=${created.resource} \\`,
    `  --data-urlencode 'scope=${created.scope}'`,
  ].join("\n");
}

export function M2mClients({ tokenEndpoint }: { tokenEndpoint: string }) {
  const utils = api.useUtils();
  const clients = api.aiClient.listM2m.useQuery();
  const instances = api.instance.list.useQuery();
  const choice = useInstanceScopeChoice(instances.data ?? []);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<Created | null>(null);
  const sectionHeading = useRef<HTMLHeadingElement>(null);

  const create = api.aiClient.createM2m.useMutation({
    onSuccess: async (result, input) => {
      setCreated({
        name: input.name,
        clientId: result.clientId,
        clientSecret: result.clientSecret,
        resource: choice.instance?.mcpUrl ?? "",
        scope: input.scopes.join(" "),
      });
      setName("");
      choice.resetScopes();
      await refreshAfterMutation(utils.aiClient.listM2m);
    },
  });
  const remove = api.aiClient.deleteM2m.useMutation({
    onSuccess: () => refreshAfterMutation(utils.aiClient.listM2m),
  });
  const fieldErrors = getFieldErrors(create.error);

  function handleCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (choice.toolsError) return;
    setCreated(null);
    create.mutate({ name: name.trim(), instanceId: choice.instanceId, scopes: choice.requestedScopes });
  }

  return (
    <section aria-labelledby="m2m-clients" className="space-y-3">
      <h2
        ref={sectionHeading}
        id="m2m-clients"
        tabIndex={-1}
        className="text-lg font-semibold text-slate-900 focus:outline-none"
      >
        Machine-to-machine clients
      </h2>
      <p className="text-sm text-slate-600">
        For scripts and services without a person to approve a consent screen: they get tokens with the OAuth
        client credentials grant.
      </p>

      {created ? (
        <OneTimeSecretPanel
          key={created.clientId}
          label="New machine-to-machine client"
          headingLevel={3}
          heading={<>Credentials of “{created.name}”</>}
          warning="Copy the secret now. Tumiki keeps only a hash of it and cannot show it again."
          onDone={() => setCreated(null)}
        >
          <dl className="space-y-2 text-sm">
            <CredentialRow
              term="Client ID"
              value={created.clientId}
              testId="m2m-client-id"
              copy={{ label: "Copy client ID", copiedMessage: "Client ID copied" }}
            />
            <CredentialRow
              term="Client secret"
              value={created.clientSecret}
              testId="m2m-client-secret"
              copy={{ label: "Copy secret", copiedMessage: "Secret copied" }}
            />
            <CredentialRow term="Token endpoint" value={tokenEndpoint} />
          </dl>
          <div className="space-y-1">
            <div className="flex items-center justify-between gap-2">
              <p className="text-sm font-medium text-slate-800">Get a token</p>
              <CopyButton
                value={buildCurlExample({ tokenEndpoint, created })}
                label="Copy curl example"
                copiedMessage="Command copied"
              />
            </div>
            <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
              <code>{buildCurlExample({ tokenEndpoint, created })}</code>
            </pre>
          </div>
        </OneTimeSecretPanel>
      ) : null}

      <ListQueryResult
        query={instances}
        loadingText="Loading instances…"
        empty={<EmptyListBox>A machine-to-machine client uses one instance; create one first.</EmptyListBox>}
      >
        {() => (
          <ClientForm onSubmit={handleCreate} className={`${card} space-y-4`}>
            <h3 className="text-base font-semibold text-slate-900">New machine-to-machine client</h3>
            <FormErrorAlert error={create.error} />
            <InstanceScopeFields
              choice={choice}
              scopesError={fieldErrors.scopes}
              nameField={
                <TextField
                  label="Client name"
                  value={name}
                  onChange={(event) => setName(event.target.value)}
                  maxLength={100}
                  required
                  error={fieldErrors.name}
                />
              }
            />
            <SubmitButton
              isPending={create.isPending}
              pendingLabel="Creating…"
              disabled={!choice.instanceId || choice.toolsError !== undefined}
            >
              Create client
            </SubmitButton>
          </ClientForm>
        )}
      </ListQueryResult>

      <FormAlert message={describeMutationError(remove.error)} />
      <ListQueryResult
        query={clients}
        loadingText="Loading clients…"
        empty={<EmptyListBox>No machine-to-machine clients yet.</EmptyListBox>}
      >
        {(list) => (
          <DataTable
            caption="Your machine-to-machine clients"
            columns={["Name", "Client ID", "Instance", "Scopes", "Created", "Last token issued"]}
            hasActions
          >
            {list.map((client) => (
              <tr key={client.id}>
                <td className={`${cell} font-medium text-slate-900`}>{client.name}</td>
                <td className={`${cell} break-all font-mono text-xs`}>{client.clientId}</td>
                <td className={cell}>{client.instance.name}</td>
                <td className={`${cell} font-mono text-xs`}>{client.scopes.join(" ")}</td>
                <td className={cell}>{formatDateTime(client.createdAt)}</td>
                <td className={cell}>{formatDateTime(client.lastUsedAt)}</td>
                <td className={`${cell} text-right`}>
                  <ConfirmButton
                    action="Delete"
                    target={client.name}
                    confirmLabel="Delete client"
                    disabled={remove.isPending}
                    onConfirm={() => remove.mutate({ id: client.id })}
                    focusAfterRemoval={sectionHeading}
                  >
                    Its tokens stop working at once and its secret can no longer get new ones.
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
