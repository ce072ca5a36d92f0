"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

export const DASHBOARD_SECTIONS = [
  { href: "/dashboard", label: "Dashboard" },
  { href: "/servers", label: "Servers" },
  { href: "/instances", label: "Instances" },
  { href: "/clients", label: "AI clients" },
  { href: "/api-keys", label: "API keys" },
  { href: "/tokens", label: "Tokens" },
  { href: "/audit", label: "Audit log" },
] as const;

/** Shown to operators (ADMIN_EMAILS) only; the page and its router check again. */
const ADMIN_SECTION = { href: "/admin", label: "Admin" } as const;

export function DashboardNav({ isOperator = false }: { isOperator?: boolean }) {
  const pathname = usePathname();
  const sections = isOperator ? [...DASHBOARD_SECTIONS, ADMIN_SECTION] : DASHBOARD_SECTIONS;
  return (
    <nav aria-label="Main">
      <ul className="flex gap-1 overflow-x-auto md:flex-col">
        {sections.map((section) => {
          const isCurrent = pathname === section.href || pathname.startsWith(`${section.href}/`);
          return (
            <li key={section.href}>
              <Link
                href={section.href}
                aria-current={isCurrent ? "page" : undefined}
                className={`block whitespace-nowrap rounded-md px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand ${
                  isCurrent
                    ? "bg-brand/10 text-brand-dark"
                    : "text-slate-700 hover:bg-slate-100 hover:text-slate-900"
                }`}
              >
                {section.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
