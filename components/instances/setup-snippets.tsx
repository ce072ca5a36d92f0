import { CopyButton } from "../dashboard/copy-button";
import { buildClientSnippets } from "./client-snippets";

export function SetupSnippets({ id, name, url }: { id: string; name: string; url: string }) {
  return (
    <details className="group rounded-lg border border-slate-200">
      <summary className="cursor-pointer select-none px-4 py-2 text-sm font-medium text-slate-800">
        Set up an AI client
      </summary>
      <div className="space-y-4 border-t border-slate-200 px-4 py-4">
        <p className="text-sm text-slate-600">
          The client signs in through Tumiki and asks for your consent the first time it connects.
        </p>
        {buildClientSnippets({ id, name, url }).map((snippet) => (
          <div key={snippet.id} className="space-y-1">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <h3 className="text-sm font-semibold text-slate-900">
                {snippet.client} <span className="font-normal text-slate-500">· {snippet.where}</span>
              </h3>
              <CopyButton
                value={snippet.text}
                label={`Copy ${snippet.client} set-up`}
                copiedMessage={`${snippet.client} set-up copied`}
              />
            </div>
            {snippet.note ? <p className="text-xs text-slate-600">{snippet.note}</p> : null}
            <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
              <code>{snippet.text}</code>
            </pre>
          </div>
        ))}
      </div>
    </details>
  );
}
