/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // Loaded from node_modules at run time rather than bundled: PGlite reads its WASM and data files
  // relative to its own package, and pino resolves optional modules dynamically.
  serverExternalPackages: ["pino", "@electric-sql/pglite"],
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
        ],
      },
      // Authorization responses and the consent page carry one-time values: never cached (RFC 6749 §5.1).
      { source: "/oauth/:path*", headers: [{ key: "Cache-Control", value: "no-store" }] },
      // A route handler cannot override the headers above (Next.js keeps these), and the URL of the
      // tier-2 callbacks (the shared one and one per issuer) carry a backend's authorization code: no
      // Referer may repeat it.
      { source: "/oauth/callback", headers: [{ key: "Referrer-Policy", value: "no-referrer" }] },
      { source: "/oauth/callback/:path*", headers: [{ key: "Referrer-Policy", value: "no-referrer" }] },
    ];
  },
};

export default nextConfig;
