import { CopyButton } from "../dashboard/copy-button";

type CredentialRowProps = {
  /** The term, e.g. "Client ID". */
  term: string;
  value: string;
  testId?: string;
  /** A copy button, for what the user must paste elsewhere (see CopyButton). */
  copy?: { label: string; copiedMessage: string };
};

/** One term of a new machine-to-machine client's credentials list (inside a <dl>). */
export function CredentialRow({ term, value, testId, copy }: CredentialRowProps) {
  return (
    <div className="flex flex-wrap items-center gap-3">
      <dt className="w-28 font-medium text-slate-800">{term}</dt>
      <dd>
        <code data-testid={testId} className="break-all font-mono">
          {value}
        </code>
      </dd>
      {copy ? <CopyButton value={value} label={copy.label} copiedMessage={copy.copiedMessage} /> : null}
    </div>
  );
}
