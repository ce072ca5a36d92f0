import type { ReactNode } from "react";
import { ScopeCheckboxes } from "./scope-checkboxes";
import { SelectField } from "./select-field";
import type { InstanceScopeChoice } from "./use-instance-scope-choice";

type InstanceScopeFieldsProps = {
  choice: InstanceScopeChoice<{ id: string; name: string; scopes: readonly string[] }>;
  /** The grant's own name field, laid out next to the instance select. */
  nameField: ReactNode;
  scopesError?: string;
};

/** The "Instance" select and its scope checkboxes, with the grant's name field beside the select. */
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
    </>
  );
}
