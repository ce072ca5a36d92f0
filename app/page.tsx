import Link from "next/link";
import { redirect } from "next/navigation";
import { primaryButton, secondaryButton } from "@/components/button-styles";
import { auth } from "@/server/next-auth";

const FEATURES = [
  {
    title: "One URL per instance",
    text: "Bundle the MCP servers you use into an instance. AI clients connect to its URL and nothing else.",
  },
  {
    title: "Standard OAuth sign-in",
    text: "Claude, Cursor, VS Code and other MCP clients discover Tumiki, register, and ask for your consent.",
  },
  {
    title: "Backend tokens stay with Tumiki",
    text: "Your Notion, Figma or Linear tokens are stored encrypted and refreshed by Tumiki; clients never see them.",
  },
] as const;

export default async function LandingPage() {
  if (await auth()) redirect("/dashboard");
  return (
    <div className="min-h-screen">
      <header className="mx-auto flex max-w-5xl items-center justify-between px-4 py-5">
        <span className="text-lg font-bold tracking-tight">Tumiki</span>
        <nav aria-label="Account" className="flex items-center gap-3">
          <Link href="/sign-in" className={secondaryButton}>
            Sign in
          </Link>
          <Link href="/sign-up" className={primaryButton}>
            Create an account
          </Link>
        </nav>
      </header>
      <main className="mx-auto max-w-5xl px-4 pb-20 pt-12">
        <section className="max-w-2xl space-y-5">
          <h1 className="text-4xl font-bold tracking-tight text-slate-900 sm:text-5xl">
            An MCP gateway for all your AI clients
          </h1>
          <p className="text-lg text-slate-600">
            Tumiki sits between your AI clients and the MCP servers you rely on. Connect each server once, and
            give every client a single URL with its own sign-in, scoped access and an audit trail.
          </p>
          <div className="flex flex-wrap gap-3">
            <Link href="/sign-up" className={primaryButton}>
              Get started
            </Link>
            <Link href="/sign-in" className={secondaryButton}>
              I already have an account
            </Link>
          </div>
        </section>
        <section aria-label="What Tumiki does" className="mt-16 grid gap-6 sm:grid-cols-3">
          {FEATURES.map((feature) => (
            <div key={feature.title} className="rounded-xl border border-slate-200 bg-white p-6">
              <h2 className="font-semibold text-slate-900">{feature.title}</h2>
              <p className="mt-2 text-sm text-slate-600">{feature.text}</p>
            </div>
          ))}
        </section>
      </main>
    </div>
  );
}
