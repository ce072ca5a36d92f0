"use client";

import Link from "next/link";
import { FormAlert } from "../auth/form-alert";
import { textLink } from "../button-styles";
import { EmptyListBox } from "../dashboard/empty-list-box";
import { describeMutationError } from "../dashboard/format";
import { PageHeader } from "../dashboard/page-header";
import { card } from "../dashboard/table-styles";
import { refreshAfterMutation } from "../refresh-after-mutation";
import { api } from "../trpc";
import { InstanceToolOptions } from "./instance-tool-options";
import { ServerToolsPanel } from "./server-tools-panel";

/** The instance page: its tools per bundled server (the proxy's held-tool answers link to #tools). */
export function InstanceTools({ instanceId }: { instanceId: string }) {
  const utils = api.useUtils();
  const view = api.toolControls.list.useQuery({ instanceId });
  const refresh = () => refreshAfterMutation(utils.toolControls.list);

  return (
    <div className="space-y-6">
      <PageHeader
        title={view.data?.instanceName ?? "Instance"}
        summary="Which tools this instance's AI clients see and run, and which calls need the user's yes."
      />
      <p className="text-sm">
        <Link href="/instances" className={textLink}>
          ← All instances
        </Link>
      </p>
      <section id="tools" aria-labelledby="tools-title" className="scroll-mt-6 space-y-6">
        <h2 id="tools-title" className="text-xl font-semibold text-slate-900">
          Tools
        </h2>
        {view.error && !view.isPending ? (
          <FormAlert message={describeMutationError(view.error)} />
        ) : view.data === undefined ? (
          <p className="text-sm text-slate-600">Loading tools…</p>
        ) : (
          <>
            <div className={card}>
              <InstanceToolOptions
                instanceId={instanceId}
                pinToolDefinitions={view.data.pinToolDefinitions}
                confirmDestructiveTools={view.data.confirmDestructiveTools}
                onSaved={refresh}
              />
            </div>
            {view.data.servers.length === 0 ? (
              <EmptyListBox title="No servers in this instance">
                Add servers to it on the{" "}
                <Link href="/instances" className={textLink}>
                  Instances
                </Link>{" "}
                page; their tools appear here once a client has listed them through this instance.
              </EmptyListBox>
            ) : (
              view.data.servers.map((server) => (
                <ServerToolsPanel
                  key={server.mcpServerId}
                  instanceId={instanceId}
                  server={server}
                  pinToolDefinitions={view.data.pinToolDefinitions}
                  onSaved={refresh}
                />
              ))
            )}
          </>
        )}
      </section>
    </div>
  );
}
