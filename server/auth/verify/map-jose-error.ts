import { errors } from "jose";
import { InvalidTokenError, TemporarilyUnavailableError } from "../oauth-errors";

// jose's failures, mapped to the reason codes of the audit trail and to a description the client may
// read. The description names the failed check, never the token or a key.

const CLAIM_REASONS: Record<string, { reason: string; description: string }> = {
  iss: { reason: "wrong_issuer", description: "The access token was issued by another issuer." },
  aud: { reason: "wrong_audience", description: "The access token is not for this MCP instance." },
  typ: { reason: "wrong_typ", description: "The access token's typ header must be at+jwt." },
  iat: { reason: "issued_in_future", description: "The access token's iat lies in the future." },
  nbf: { reason: "not_yet_valid", description: "The access token is not valid yet." },
};

export function mapJoseError(error: unknown): Error {
  if (error instanceof errors.JWTExpired) {
    return new InvalidTokenError("The access token has expired.", { reason: "expired", cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === "missing") {
      return new InvalidTokenError(`The access token lacks the ${error.claim} claim.`, {
        reason: "missing_claim",
        cause: error,
      });
    }
    const mapped = CLAIM_REASONS[error.claim] ?? {
      reason: "invalid_claim",
      description: `The access token's ${error.claim} claim is not valid.`,
    };
    return new InvalidTokenError(mapped.description, { reason: mapped.reason, cause: error });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new InvalidTokenError("The access token's signature is not valid.", {
      reason: "invalid_signature",
      cause: error,
    });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new InvalidTokenError("The access token is signed with an algorithm Tumiki does not accept.", {
      reason: "wrong_alg",
      cause: error,
    });
  }
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new InvalidTokenError("The access token's signing key is not known.", {
      reason: "unknown_kid",
      cause: error,
    });
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return new TemporarilyUnavailableError(
      "The issuer's signing keys cannot be fetched. Try again shortly.",
      {
        reason: "jwks_unavailable",
        cause: error,
      },
    );
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JWKInvalid
  ) {
    return new InvalidTokenError("The access token is malformed.", {
      reason: "malformed_token",
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}
