import { FormAlert } from "../auth/form-alert";
import { describeMutationError, getFieldErrors } from "./format";

/**
 * A refused form's general error. When the server named the fields at fault, their messages show next to
 * the fields instead, so this stays empty rather than saying it twice.
 */
export function FormErrorAlert({ error }: { error: unknown }) {
  const hasFieldErrors = Object.keys(getFieldErrors(error)).length > 0;
  return <FormAlert message={error && !hasFieldErrors ? describeMutationError(error) : null} />;
}
