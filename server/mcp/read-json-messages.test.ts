import { describe, expect, it } from "vitest";
import { readJsonMessages } from "./read-json-messages";

const streamOf = (chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

const collect = async (chunks: string[]) => {
  const out: unknown[] = [];
  for await (const message of readJsonMessages(streamOf(chunks))) out.push(message);
  return out;
};

describe("readJsonMessages", () => {
  it("reads one JSON value, with or without a trailing newline, split across chunks", async () => {
    expect(await collect(['{"a":', "1}"])).toEqual([{ a: 1 }]);
    expect(await collect(['{"a":1}\n'])).toEqual([{ a: 1 }]);
  });

  it("reads a pretty-printed value over many lines as one", async () => {
    expect(await collect(['{\n  "a": [\n    1,\n', "    2\n  ]\n}\n"])).toEqual([{ a: [1, 2] }]);
  });

  it("reads newline-delimited values one by one, each before the body ends", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode('{"n":1}\n\n{"n":'));
        await gate;
        controller.enqueue(new TextEncoder().encode('2}\n{"n":3}'));
        controller.close();
      },
    });
    const messages = readJsonMessages(body);
    expect((await messages.next()).value).toEqual({ n: 1 });
    release();
    const rest: unknown[] = [];
    for await (const message of messages) rest.push(message);
    expect(rest).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it("fails on text that is not JSON", async () => {
    await expect(collect(["not json"])).rejects.toThrow(SyntaxError);
    await expect(collect(['{"n":1}\nnot json\n'])).rejects.toThrow(SyntaxError);
  });
});
