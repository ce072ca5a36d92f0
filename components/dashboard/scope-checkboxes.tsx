import { ALL_SERVERS_SCOPE } from "@/server/auth/scopes";

type ScopeCheckboxesProps = {
  offered: readonly string[];
  selected: readonly string[];
  onChange: (scopes: string[]) => void;
  error?: string;
};

/** The scopes an instance offers, as checkboxes; `mcp:access:*` is described as what it is. */
export function ScopeCheckboxes({ offered, selected, onChange, error }: ScopeCheckboxesProps) {
  return (
    <fieldset className="space-y-1">
      <legend className="text-sm font-medium text-slate-800">Scopes</legend>
      <ul className="space-y-1">
        {offered.map((scope) => (
          <li key={scope}>
            <label className="flex items-center gap-2 text-sm text-slate-800">
              <input
                type="checkbox"
                className="size-4 accent-brand"
                checked={selected.includes(scope)}
                onChange={(event) =>
                  onChange(
                    event.target.checked
                      ? [...new Set([...selected, scope])]
                      : selected.filter((s) => s !== scope),
                  )
                }
              />
              <span className="font-mono text-xs">{scope}</span>
              <span className="text-xs text-slate-500">
                {scope === ALL_SERVERS_SCOPE ? "every server of the instance" : "this server only"}
              </span>
            </label>
          </li>
        ))}
      </ul>
      {error ? <p className="text-xs text-red-700">{error}</p> : null}
    </fieldset>
  );
}
