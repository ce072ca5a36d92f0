// Where Playwright starts the demo backend (scripts/demo-backend.ts): its OAuth-protected MCP endpoint,
// as a user types it on the Servers page, and its endpoint that needs no authentication.

export const demoBackendPort = Number(process.env.E2E_DEMO_BACKEND_PORT ?? 3330);
export const demoBackendOrigin = `http://localhost:${demoBackendPort}`;
export const demoBackendMcpUrl = `${demoBackendOrigin}/mcp`;
export const demoBackendPublicMcpUrl = `${demoBackendOrigin}/public/mcp`;
