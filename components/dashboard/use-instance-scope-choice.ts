import { useState } from "react";
import { ALL_SERVERS_SCOPE } from "@/server/auth/scopes";
import { parseToolScopeInput } from "./parse-tool-scope-input";

type ChoosableInstance = { id: string; name: string; scopes: readonly string[] };

export type InstanceScopeChoice<TInstance extends ChoosableInstance> = {
  instances: readonly TInstance[];
  instanceId: string;
  instance: TInstance | undefined;
  /** The scopes the chosen instance offers. */
  offeredScopes: readonly string[];
  selectedScopes: readonly string[];
  /** The "Limit to tools" field as typed: `<server>:<tool>` entries. */
  toolsText: string;
  /** Why the tools field cannot be sent as it is; undefined when it can. */
  toolsError: string | undefined;
  /**
   * What to send: the selected scopes the chosen instance still offers (its servers may have changed),
   * then the tool scopes of the tools field.
   */
  requestedScopes: string[];
  chooseInstance: (instanceId: string) => void;
  chooseScopes: (scopes: string[]) => void;
  chooseTools: (text: string) => void;
  /** After a grant was created: keep the instance, start the scopes over. */
  resetScopes: () => void;
};

/**
 * The instance-and-scopes part of a form that grants access to one instance (API keys, machine-to-machine
 * clients). Until the user picks, the first instance is chosen; picking another starts again from the
 * whole instance, since scopes name servers of one instance.
 */
export function useInstanceScopeChoice<TInstance extends ChoosableInstance>(
  instances: readonly TInstance[],
): InstanceScopeChoice<TInstance> {
  const [choice, setChoice] = useState({ instanceId: "", scopes: [ALL_SERVERS_SCOPE], tools: "" });
  const instanceId = choice.instanceId || instances[0]?.id || "";
  const instance = instances.find((candidate) => candidate.id === instanceId);
  const offeredScopes = instance?.scopes ?? [];
  const selected = choice.scopes.filter((scope) => offeredScopes.includes(scope));
  const tools = parseToolScopeInput({ text: choice.tools, offeredScopes, selectedScopes: selected });
  return {
    instances,
    instanceId,
    instance,
    offeredScopes,
    selectedScopes: choice.scopes,
    toolsText: choice.tools,
    toolsError: tools.error,
    requestedScopes: [...selected, ...(tools.scopes ?? [])],
    chooseInstance: (id) => setChoice({ instanceId: id, scopes: [ALL_SERVERS_SCOPE], tools: "" }),
    chooseScopes: (scopes) => setChoice({ ...choice, scopes }),
    chooseTools: (text) => setChoice({ ...choice, tools: text }),
    resetScopes: () => setChoice((current) => ({ ...current, scopes: [ALL_SERVERS_SCOPE], tools: "" })),
  };
}
