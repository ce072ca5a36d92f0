import type { Metadata } from "next";
import Link from "next/link";
import { textLink } from "@/components/button-styles";
import { auth } from "@/server/next-auth";

export const metadata: Metadata = { title: "Dashboard" };

const STEPS = [
  {
    href: "/servers",
    title: "Connect your MCP servers",
    text: "Sign in to each backend once; Tumiki keeps the tokens.",
  },
  {
    href: "/instances",
    title: "Bundle them into an instance",
    text: "Pick servers and get one URL for them all.",
  },
  {
    href: "/clients",
    title: "Point an AI client at the URL",
    text: "It signs in through Tumiki and asks for your consent.",
  },
] as const;

export default async function DashboardPage() {
  const session = await auth();
  return (
    <section aria-labelledby="page-title" className="space-y-8">
      <header className="space-y-1">
        <h1 id="page-title" className="text-2xl font-semibold tracking-tight text-slate-900">
          Dashboard
        </h1>
        <p className="text-slate-600">
          Signed in as <span className="font-medium text-slate-900">{session?.user?.email}</span>.
        </p>
      </header>
      <div className="rounded-xl border border-slate-200 bg-white p-6">
        <h2 className="text-lg font-semibold text-slate-900">How Tumiki will work for you</h2>
        <p className="mt-1 text-sm text-slate-600">
          Your account is ready. Servers, instances and client access arrive with later releases; each step
          below links to the page where it will live.
        </p>
        <ol className="mt-4 space-y-3">
          {STEPS.map((step, index) => (
            <li key={step.href} className="flex gap-3">
              <span
                aria-hidden="true"
                className="flex size-6 shrink-0 items-center justify-center rounded-full bg-brand/10 text-xs font-semibold text-brand-dark"
              >
                {index + 1}
              </span>
              <div>
                <Link href={step.href} className={textLink}>
                  {step.title}
                </Link>
                <p className="text-sm text-slate-600">{step.text}</p>
              </div>
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}
