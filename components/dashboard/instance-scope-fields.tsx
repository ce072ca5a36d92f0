import type { ReactNode } from "react";
import { TextField } from "../auth/text-field";
import { ScopeCheckboxes } from "./scope-checkboxes";
import { SelectField } from "./select-field";
import type { InstanceScopeChoice } from "./use-instance-scope-choice";

const TOOLS_HINT =
  "Grants only these tools of a server: <server>:<tool> (the server's slug, the tool's own name), " +
  "separated by spaces. Leave that server's scope and mcp:access:* unticked.";

type InstanceScopeFieldsProps = {
  choice: InstanceScopeChoice<{ id: string; name: string; scopes: readonly string[] }>;
  /** The grant's own name field, laid out next to the instance select. */
  nameField: ReactNode;
  scopesError?: string;
};

/**
 * The "Instance" select, its scope checkboxes and the optional tools field, with the grant's name field
 * beside the select. The tools field grants single tools (`mcp:access:<server>:<tool>`) of servers whose
 * scope is not ticked.
 */
export function InstanceScopeFields({ choice, nameField, scopesError }: InstanceScopeFieldsProps) {
  return (
    <>
      <div className="grid gap-3 sm:grid-cols-2">
        {nameField}
        <SelectField
          label="Instance"
          value={choice.instanceId}
          onChange={(event) => choice.chooseInstance(event.target.value)}
          options={choice.instances.map((instance) => ({ value: instance.id, label: instance.name }))}
        />
      </div>
      <ScopeCheckboxes
        offered={choice.offeredScopes}
        selected={choice.selectedScopes}
        onChange={choice.chooseScopes}
        error={scopesError}
      />
      <TextField
        label="Limit to tools (optional)"
        value={choice.toolsText}
        onChange={(event) => choice.chooseTools(event.target.value)}
        placeholder="server:tool_name other-server:tool_name"
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        hint={TOOLS_HINT}
        error={choice.toolsError}
      />
    </>
  );
}
