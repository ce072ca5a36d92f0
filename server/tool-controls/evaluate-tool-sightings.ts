import type { TInstanceToolRecord, TToolControlSettings } from "./tool-control-settings";
import { digestToolDefinition, type TToolDefinition } from "./tool-definition";

// What one listing of a server's tools changes in what an instance knows of them (pure; written by
// record-tool-sightings.ts):
// - the first listing of a server for an instance pins every tool as approved (the owner bundled the
//   server as it was), and is itself remembered: a server that listed nothing then gets no second
//   "first sight" for the tools it adds afterwards;
// - a tool seen for the first time later follows the server's "added later" choice: exposed at once
//   (and, under a CHOSEN selection, chosen), or held back until the owner chooses it;
// - a tool whose definition differs from the pinned one is held for review (its new definition kept
//   for the side-by-side), unless pinning is off, when the new definition simply becomes the pin;
// - a tool that reverted to its pinned definition is no longer held;
// - a tool last seen more than a day ago is marked seen again (the clean-up job forgets tools a server
//   stopped serving long ago).

const SEEN_REFRESH_MS = 24 * 60 * 60 * 1000;
/**
 * How many tools of one server an instance records: a server listing ever new names must not grow the
 * table without end. Tools beyond it are not recorded, so no client sees them (refused as unknown).
 */
export const MAX_RECORDED_TOOLS = 1_000;

export type TToolSightings = {
  /** This was the server's first listing for the instance. */
  firstListing: boolean;
  /** New tools left unrecorded (and unseen) because the server has MAX_RECORDED_TOOLS already. */
  overLimit: number;
  created: Array<Omit<TInstanceToolRecord, "lastSeenAt" | "confirm">>;
  changed: Array<{ name: string; digest: string; definition: TToolDefinition }>;
  repinned: Array<{ name: string; digest: string; definition: TToolDefinition }>;
  reverted: string[];
  seen: string[];
};

export const hasSightings = (s: TToolSightings) =>
  s.firstListing ||
  s.created.length + s.changed.length + s.repinned.length + s.reverted.length + s.seen.length > 0;

export function evaluateToolSightings({
  settings,
  records,
  served,
  now = new Date(),
}: {
  settings: TToolControlSettings;
  /** What the instance knows of the server's tools, by name. */
  records: ReadonlyMap<string, TInstanceToolRecord>;
  /** The tools the backend serves now. */
  served: readonly TToolDefinition[];
  now?: Date;
}): { records: Map<string, TInstanceToolRecord>; sightings: TToolSightings } {
  const firstSight = !settings.toolsListedBefore && records.size === 0;
  const next = new Map(records);
  const sightings: TToolSightings = {
    firstListing: firstSight,
    overLimit: 0,
    created: [],
    changed: [],
    repinned: [],
    reverted: [],
    seen: [],
  };
  for (const definition of served) {
    const digest = digestToolDefinition(definition);
    const known = next.get(definition.name);
    if (!known) {
      if (next.size >= MAX_RECORDED_TOOLS) {
        sightings.overLimit += 1;
        continue;
      }
      const include = firstSight ? settings.selection !== "CHOSEN" : settings.includeNewTools;
      const created = {
        name: definition.name,
        digest,
        definition,
        pendingDigest: null,
        pendingDefinition: null,
        chosen: include,
        // At first sight nothing is "added later": under CHOSEN the owner simply has not chosen yet.
        heldAsNew: !firstSight && !include,
      };
      sightings.created.push(created);
      next.set(definition.name, { ...created, confirm: null, lastSeenAt: now });
      continue;
    }
    let record = known;
    if (digest === known.digest) {
      if (known.pendingDigest !== null) {
        sightings.reverted.push(known.name);
        record = { ...record, pendingDigest: null, pendingDefinition: null };
      }
    } else if (!settings.pinToolDefinitions) {
      sightings.repinned.push({ name: known.name, digest, definition });
      record = { ...record, digest, definition, pendingDigest: null, pendingDefinition: null };
    } else if (known.pendingDigest !== digest) {
      sightings.changed.push({ name: known.name, digest, definition });
      record = { ...record, pendingDigest: digest, pendingDefinition: definition };
    }
    if (now.getTime() - known.lastSeenAt.getTime() > SEEN_REFRESH_MS) {
      sightings.seen.push(known.name);
      record = { ...record, lastSeenAt: now };
    }
    next.set(known.name, record);
  }
  return { records: next, sightings };
}
