// Runs once when a Next.js server starts. A missing or malformed variable stops start-up here, with a
// message that names it, instead of surfacing as a 500 on the first request that needs it. Then
// OpenTelemetry is registered when OTEL_EXPORTER_OTLP_ENDPOINT is set (traces and metrics over OTLP).
export async function register(): Promise<void> {
  // NEXT_RUNTIME is Next.js's own marker, inlined at build time, not configuration (that is server/env.ts).
  // The imports stay behind it so the Edge bundle never sees Node-only code.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { exitOnInvalidEnv } = await import("./server/exit-on-invalid-env");
    exitOnInvalidEnv();
    const { registerTelemetry } = await import("./server/observability/tracing/register-telemetry");
    registerTelemetry();
  }
}
