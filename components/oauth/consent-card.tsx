import type { TConsentDetails } from "@/server/auth/authorize/get-consent-details";
import { secondaryButton } from "../button-styles";
import { ApproveButton } from "./approve-button";

type ConsentCardProps = {
  details: TConsentDetails;
  /** The signed consent request, posted back unchanged. */
  signedRequest: string;
  csrfToken: string;
};

/**
 * The body of the consent page: who asks, where the answer goes, for which instance and scopes, and
 * the Approve/Deny form, a plain HTML form posted to the decision endpoint. Approve alone runs a script:
 * it stays disabled until the user has had the page in front of them (see arm-after-attention.ts).
 */
export function ConsentCard({ details, signedRequest, csrfToken }: ConsentCardProps) {
  const { clientSource } = details;
  return (
    <div className="space-y-5 text-sm text-slate-700">
      <p>
        <strong className="font-semibold text-slate-900">{details.clientName}</strong> wants to use your
        Tumiki MCP instance <strong className="font-semibold text-slate-900">{details.instanceName}</strong>.
      </p>

      <dl className="space-y-3 rounded-md border border-slate-200 bg-slate-50 px-4 py-3">
        <div>
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Client</dt>
          <dd data-testid="consent-client-source">
            {clientSource.kind === "cimd" ? (
              <>
                Identified by a metadata document on <span className="font-mono">{clientSource.host}</span>
              </>
            ) : (
              <>
                Registered dynamically; Tumiki cannot confirm its name
                {clientSource.clientUri ? (
                  <>
                    {" "}
                    (says it is from <span className="font-mono break-all">{clientSource.clientUri}</span>)
                  </>
                ) : null}
              </>
            )}
          </dd>
        </div>
        <div>
          <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Sends you back to</dt>
          <dd className="font-mono break-all" data-testid="consent-redirect-target">
            {details.redirectTarget}
          </dd>
        </div>
        {details.accountEmail ? (
          <div>
            <dt className="text-xs font-medium uppercase tracking-wide text-slate-500">Your account</dt>
            <dd className="break-all">{details.accountEmail}</dd>
          </div>
        ) : null}
      </dl>

      {details.redirectKind === "web" ? null : (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900" role="note">
          {details.redirectKind === "loopback"
            ? "The answer goes to a program on this computer."
            : "The answer goes to an app on this computer."}{" "}
          Approve only if you just started connecting this AI client yourself: any program on your computer
          can claim to be it.
        </p>
      )}

      <section aria-labelledby="consent-scopes-heading" className="space-y-2">
        <h2 id="consent-scopes-heading" className="font-semibold text-slate-900">
          It will be able to use
        </h2>
        <ul className="space-y-2">
          {details.scopes.map((item) => (
            <li
              key={item.scope}
              className={
                item.isAllServers
                  ? "rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900"
                  : "rounded-md border border-slate-200 px-3 py-2"
              }
            >
              <span className="block">{item.label}</span>
              <span className="block font-mono text-xs text-slate-500">{item.scope}</span>
            </li>
          ))}
        </ul>
      </section>

      <form method="post" action="/oauth/authorize/decision" className="flex gap-3 pt-1">
        <input type="hidden" name="request" value={signedRequest} />
        <input type="hidden" name="csrf_token" value={csrfToken} />
        <button type="submit" name="decision" value="deny" className={`${secondaryButton} flex-1`}>
          Deny
        </button>
        <ApproveButton />
      </form>
    </div>
  );
}
