import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

// A self-signed certificate for https://localhost, made on first use with openssl. The MCP SDK only
// accepts an https Client ID Metadata Document URL, so the spec's document host (cimd-host.mts) serves
// https, and the app under test trusts this certificate through NODE_EXTRA_CA_CERTS. Kept in .data/
// (ignored by git): a key made on this machine, never committed.

// Relative to the project root, where Playwright and .ci/run both run.
const TEST_TLS_DIR = path.resolve(".data/e2e-tls");

export function ensureTestTls(): { certPath: string; keyPath: string } {
  const certPath = path.join(TEST_TLS_DIR, "cert.pem");
  const keyPath = path.join(TEST_TLS_DIR, "key.pem");
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(TEST_TLS_DIR, { recursive: true });
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-days",
        "30",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout",
        keyPath,
        "-out",
        certPath,
      ],
      { stdio: "ignore" },
    );
  }
  return { certPath, keyPath };
}
