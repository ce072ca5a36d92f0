// Some MCP clients try OpenID discovery before RFC 8414; both paths serve the same document.
export { GET, OPTIONS } from "../oauth-authorization-server/route";

export const dynamic = "force-dynamic";
