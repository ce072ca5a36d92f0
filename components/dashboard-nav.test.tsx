import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it, vi } from "vitest";
import { DashboardNav } from "./dashboard-nav";

vi.mock("next/navigation", () => ({ usePathname: () => "/admin" }));

describe("DashboardNav", () => {
  it("links the admin page for operators only", () => {
    expect(renderToStaticMarkup(<DashboardNav />)).not.toContain('href="/admin"');
    expect(renderToStaticMarkup(<DashboardNav isOperator={false} />)).not.toContain('href="/admin"');
    const operator = renderToStaticMarkup(<DashboardNav isOperator />);
    expect(operator).toMatch(/<a aria-current="page"[^>]*href="\/admin">Admin<\/a>/);
    expect(operator).toContain('href="/audit"');
  });
});
