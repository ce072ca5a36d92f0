// Reads a request body as UTF-8 text without ever holding more than `maxBytes` of it. Content-Length
// is only a hint: a chunked upload has none and a client may lie, so the bytes are counted while the
// stream is read and reading stops (the stream is cancelled) as soon as the limit is passed.

/** The body as text, or null when it is larger than `maxBytes`. An absent body reads as "". */
export async function readLimitedBody({
  request,
  maxBytes,
}: {
  request: Request;
  maxBytes: number;
}): Promise<string | null> {
  if (Number(request.headers.get("content-length") ?? 0) > maxBytes) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
