import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCProvider } from "@/components/trpc-provider";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Tumiki — MCP gateway", template: "%s · Tumiki" },
  description:
    "Connect your MCP servers once, bundle them into instances, and give every AI client one URL with its own sign-in.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <TRPCProvider>{children}</TRPCProvider>
      </body>
    </html>
  );
}
