// Where e2e/proxy/protocol-eras.spec.ts starts its 2026-07-28 backend (server/testing/start-modern-backend.ts,
// `legacy: "reject"`): a fixed loopback port, since the app under test must list it in
// OUTBOUND_ALLOWED_PRIVATE_HOSTS before it starts. The fixture listens on 127.0.0.1 and names itself by
// that address, so the allowlist entry is an IP literal and no resolver decides where `localhost` goes.

export const modernBackendPort = Number(process.env.E2E_MODERN_BACKEND_PORT ?? 3340);
export const modernBackendHostPort = `127.0.0.1:${modernBackendPort}`;
