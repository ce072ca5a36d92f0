// Parses a WWW-Authenticate header value (RFC 9110 §11.6.1) into its challenges. One header may carry
// several challenges, and several header lines arrive joined by ", " (as Headers.get returns them), so a
// comma separates either two parameters or two challenges: a token followed by "=" is a parameter, any
// other token starts a new challenge. Parameter values are tokens or quoted strings (backslash escapes);
// servers in the wild also send unquoted URLs, which are read up to the next comma or space. Names are
// compared case-insensitively, so they are lower-cased; the first occurrence of a parameter wins.

export type TAuthChallenge = {
  /** Lower-cased, e.g. "bearer". */
  scheme: string;
  params: Record<string, string>;
  token68?: string;
};

const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*(?=[ \t]*(,|$))/y;
const UNQUOTED_VALUE = /[^,\s]*/y;
const WHITESPACE = /[ \t\r\n]*/y;

function matchAt(pattern: RegExp, text: string, index: number): string | undefined {
  pattern.lastIndex = index;
  return pattern.exec(text)?.[0];
}

function skipWhitespace(text: string, index: number): number {
  return index + (matchAt(WHITESPACE, text, index)?.length ?? 0);
}

function readQuoted(text: string, start: number): { value: string; end: number } {
  let value = "";
  let index = start + 1;
  while (index < text.length && text[index] !== '"') {
    if (text[index] === "\\" && index + 1 < text.length) index += 1;
    value += text[index];
    index += 1;
  }
  return { value, end: index + 1 };
}

/** Reads `name = value` at `index`, or returns undefined when no parameter starts there. */
function readParam(text: string, index: number): { name: string; value: string; end: number } | undefined {
  const name = matchAt(TOKEN, text, index);
  if (!name) return undefined;
  const afterName = skipWhitespace(text, index + name.length);
  if (text[afterName] !== "=") return undefined;
  const valueStart = skipWhitespace(text, afterName + 1);
  if (text[valueStart] === '"') {
    const { value, end } = readQuoted(text, valueStart);
    return { name: name.toLowerCase(), value, end };
  }
  const value = matchAt(UNQUOTED_VALUE, text, valueStart) ?? "";
  return { name: name.toLowerCase(), value, end: valueStart + value.length };
}

export function parseWwwAuthenticate(header: string): TAuthChallenge[] {
  const challenges: TAuthChallenge[] = [];
  let index = 0;
  while (index < header.length) {
    index = skipWhitespace(header, index);
    if (header[index] === ",") {
      index += 1;
      continue;
    }
    const scheme = matchAt(TOKEN, header, index);
    if (!scheme) {
      // Garbage we cannot read: skip to the next comma and try again there.
      const comma = header.indexOf(",", index);
      index = comma === -1 ? header.length : comma + 1;
      continue;
    }
    const challenge: TAuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    index = skipWhitespace(header, index + scheme.length);

    // A parameter cannot match: token68 must be followed by a comma or the end, a parameter by a value.
    const token68 = matchAt(TOKEN68, header, index);
    if (token68) {
      challenge.token68 = token68;
      index += token68.length;
      continue;
    }
    for (;;) {
      const param = readParam(header, index);
      if (!param) break;
      if (!(param.name in challenge.params)) challenge.params[param.name] = param.value;
      index = skipWhitespace(header, param.end);
      if (header[index] !== ",") break;
      // After a comma: another parameter of this challenge, or (when no "=" follows a token) a new one.
      const next = skipWhitespace(header, index + 1);
      if (!readParam(header, next)) break;
      index = next;
    }
  }
  return challenges;
}
