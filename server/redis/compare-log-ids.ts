// Orders two log entry ids (`<ms>-<seq>`, or "0" before every entry), as Redis orders stream ids.

export function compareLogIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split("-").map(Number);
  const [bMs = 0, bSeq = 0] = b.split("-").map(Number);
  return aMs - bMs || aSeq - bSeq;
}
