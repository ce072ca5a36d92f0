"use client";

import Link from "next/link";
import type { TDashboardOverview } from "@/server/usage/get-dashboard-overview";
import { FormAlert } from "../auth/form-alert";
import { textLink } from "../button-styles";
import { BackendHealthBadge } from "../servers/backend-health-badge";
import { ConnectionStatusBadge } from "../servers/connection-status-badge";
import { api } from "../trpc";
import { CopyButton } from "./copy-button";
import { DataTable } from "./data-table";
import { describeMutationError } from "./format";
import { card, cell } from "./table-styles";
import { TokenAttention } from "./token-attention";
import { ToolCallUsage } from "./tool-call-usage";

// The dashboard home (router usage.overview and usage.toolCalls): what needs the user, how their
// instances are used, and the state of their instances and servers. A user who has not set up an
// instance yet sees the steps that get them there instead.

// Health changes on its own (a backend goes down, comes back): polled, as on the Servers page.
const REFRESH_MS = 30_000;

const STEPS = [
  {
    href: "/servers",
    title: "Connect a server",
    text: "Add the MCP servers you use and sign in to each once; Tumiki keeps the tokens.",
  },
  {
    href: "/instances",
    title: "Create an instance",
    text: "Bundle servers into an instance and get one MCP URL for them all.",
  },
  {
    href: "/clients",
    title: "Connect an AI client",
    text: "Give Claude Code, Cursor or VS Code the instance's URL; it signs in through Tumiki and asks for your consent.",
  },
] as const;

export function DashboardHome() {
  const overview = api.usage.overview.useQuery(undefined, { refetchInterval: REFRESH_MS });
  if (overview.error && !overview.data) return <FormAlert message={describeMutationError(overview.error)} />;
  if (!overview.data) return <p className="text-sm text-slate-600">Loading your dashboard…</p>;
  const { instances, servers, tokens } = overview.data;
  const isSetUp = servers.length > 0 && instances.length > 0;

  return (
    <div className="space-y-8">
      {isSetUp ? null : <GettingStarted done={[servers.length > 0, instances.length > 0, false]} />}
      <TokenAttention tokens={tokens} />
      {instances.length > 0 ? <ToolCallUsage /> : null}
      {instances.length > 0 ? <InstancesOverview instances={instances} /> : null}
      {servers.length > 0 ? <ServersOverview servers={servers} /> : null}
    </div>
  );
}

function GettingStarted({ done }: { done: boolean[] }) {
  return (
    <section aria-labelledby="start-heading" className={card}>
      <h2 id="start-heading" className="text-lg font-semibold text-slate-900">
        Get started
      </h2>
      <p className="mt-1 text-sm text-slate-600">
        Three steps give your AI clients one URL for all your MCP servers. Tool calls, errors and latency show
        up here once a client uses it.
      </p>
      <ol className="mt-4 space-y-3">
        {STEPS.map((step, index) => (
          <li key={step.href} className="flex gap-3">
            <span
              aria-hidden="true"
              className={`flex size-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold ${
                done[index] ? "bg-emerald-100 text-emerald-800" : "bg-brand/10 text-brand-dark"
              }`}
            >
              {done[index] ? "✓" : index + 1}
            </span>
            <div>
              <Link href={step.href} className={textLink}>
                {step.title}
              </Link>
              {done[index] ? <span className="ml-2 text-xs text-emerald-700">Done</span> : null}
              <p className="text-sm text-slate-600">{step.text}</p>
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

function SectionHeading({
  id,
  title,
  href,
  linkText,
}: {
  id: string;
  title: string;
  href: string;
  linkText: string;
}) {
  return (
    <div className="flex items-baseline justify-between gap-3">
      <h2 id={id} className="text-lg font-semibold text-slate-900">
        {title}
      </h2>
      <Link href={href} className={`${textLink} text-sm`}>
        {linkText}
      </Link>
    </div>
  );
}

function InstancesOverview({ instances }: { instances: TDashboardOverview["instances"] }) {
  return (
    <section aria-labelledby="instances-heading" className="space-y-3">
      <SectionHeading
        id="instances-heading"
        title="Instances"
        href="/instances"
        linkText="Manage instances"
      />
      <ul className="grid gap-4 lg:grid-cols-2">
        {instances.map((instance) => (
          <li key={instance.id} className={`${card} space-y-3`} data-testid="instance-summary">
            <h3 className="font-semibold text-slate-900">{instance.name}</h3>
            <div className="flex flex-wrap items-center gap-2">
              <code className="break-all rounded-md bg-slate-100 px-2 py-1 font-mono text-xs">
                {instance.mcpUrl}
              </code>
              <CopyButton value={instance.mcpUrl} label="Copy URL" copiedMessage="URL copied" />
            </div>
            {instance.servers.length === 0 ? (
              <p className="text-sm text-slate-600">
                No servers yet.{" "}
                <Link href="/instances" className={textLink}>
                  Add servers
                </Link>
              </p>
            ) : (
              <ul className="space-y-1 text-sm" aria-label={`Servers of ${instance.name}`}>
                {instance.servers.map((server) => (
                  <li key={server.slug} className="flex flex-wrap items-center justify-between gap-2">
                    <span className="text-slate-800">{server.name}</span>
                    <BackendHealthBadge health={server.health ?? undefined} compact />
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ServersOverview({ servers }: { servers: TDashboardOverview["servers"] }) {
  return (
    <section aria-labelledby="servers-heading" className="space-y-3">
      <SectionHeading id="servers-heading" title="Servers" href="/servers" linkText="Manage servers" />
      <DataTable
        caption="Your servers, their connection and health"
        columns={["Server", "Connection", "Health", "Instances"]}
      >
        {servers.map((server) => (
          <tr key={server.serverId}>
            <td className={cell}>
              <div className="font-medium text-slate-900">{server.name}</div>
              <div className="font-mono text-xs text-slate-500">{server.slug}</div>
            </td>
            <td className={cell}>
              <ConnectionStatusBadge status={server.state.status} />
            </td>
            <td className={cell}>
              <BackendHealthBadge health={server.health} />
            </td>
            <td className={`${cell} text-xs`}>{server.instanceNames.join(", ") || "—"}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
