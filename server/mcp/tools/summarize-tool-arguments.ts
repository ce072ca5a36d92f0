import { isRecord } from "../../protocol/is-record";

// A tool call's arguments as a person reads them in a confirmation question: one line per argument,
// each value compact and cut short, the whole bounded. The arguments come from a model and may be huge
// or crafted: the rendering never walks further than it shows, strings are quoted (a newline in a value
// cannot start a line of its own), and characters that reorder text on screen are escaped.

const MAX_ARGUMENTS = 12;
const MAX_VALUE_CHARS = 160;
const MAX_TOTAL_CHARS = 1_200;
const MAX_KEY_CHARS = 60;
const MAX_DEPTH = 3;

/**
 * Bidirectional controls and the line separators JSON leaves as they are: they could make a value read
 * as something else on screen.
 */
const REORDERING = /[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeReordering = (text: string) =>
  text.replace(REORDERING, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** At most `max` characters (whole code points), with an ellipsis when cut. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${Array.from(text.slice(0, max + 1))
    .slice(0, Math.max(0, max - 1))
    .join("")}…`;
}

const renderString = (text: string, max: number) => escapeReordering(JSON.stringify(cut(text, max)));

const renderKey = (key: string) =>
  /^[A-Za-z0-9_.-]+$/.test(key) ? cut(key, MAX_KEY_CHARS) : renderString(key, MAX_KEY_CHARS);

/** A compact rendering of `value` of about `budget` characters at most. */
function renderValue(value: unknown, budget: number, depth: number): string {
  if (typeof value === "string") return renderString(value, Math.max(8, budget - 2));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) return "null";
  const isArray = Array.isArray(value);
  if (!isArray && !isRecord(value)) return "?";
  // Only as many keys and items are summarised as are shown (a parsed body may hold millions).
  const keys = isArray ? null : Object.keys(value);
  const count = isArray ? value.length : (keys?.length ?? 0);
  const [open, close] = isArray ? ["[", "]"] : ["{", "}"];
  if (count === 0) return `${open}${close}`;
  if (depth >= MAX_DEPTH) {
    return isArray ? `[${count} item${count === 1 ? "" : "s"}]` : `{${count} field${count === 1 ? "" : "s"}}`;
  }
  const parts: string[] = [];
  let used = 2;
  for (let index = 0; index < count; index += 1) {
    const key = keys ? (keys[index] as string) : null;
    const item = key === null ? (value as unknown[])[index] : (value as Record<string, unknown>)[key];
    const prefix = key === null ? "" : `${renderKey(key)}: `;
    const left = budget - used - prefix.length;
    if (left < 8) break;
    const part = `${prefix}${renderValue(item, left, depth + 1)}`;
    parts.push(part);
    used += part.length + 2;
  }
  const more = count - parts.length;
  if (more > 0) parts.push(`… ${more} more`);
  return `${open}${parts.join(", ")}${close}`;
}

/** The lines of the summary ("no arguments" when there are none). */
export function summarizeToolArguments(args: unknown): string[] {
  if (!isRecord(args) || Object.keys(args).length === 0) return ["(no arguments)"];
  const keys = Object.keys(args);
  const lines: string[] = [];
  let total = 0;
  for (const key of keys.slice(0, MAX_ARGUMENTS)) {
    const line = `${renderKey(key)}: ${renderValue(args[key], MAX_VALUE_CHARS, 1)}`;
    if (total + line.length > MAX_TOTAL_CHARS) break;
    lines.push(line);
    total += line.length + 1;
  }
  const more = keys.length - lines.length;
  if (more > 0) lines.push(`… and ${more} more argument${more === 1 ? "" : "s"}`);
  return lines;
}
