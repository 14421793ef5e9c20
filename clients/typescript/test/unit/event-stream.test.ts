import { describe, expect, it } from "vitest";
import { EventStreamParser } from "../../src/index.js";

describe("the text/event-stream parser", () => {
  it("dispatches on blank lines across any chunking, joins data lines, skips heartbeats, keeps the last id", () => {
    const text = ": heartbeat\r\nid: c1\r\nevent: change\r\ndata: {\"a\":1}\r\n\r\n:hb\n\nid: c2\nevent: change\ndata: line one\ndata: line two\n\ndata: no id\r\r";
    for (const size of [1, 2, 3, 7, text.length]) {
      const parser = new EventStreamParser();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...parser.push(text.slice(i, i + size)));
      expect(events, `chunks of ${size}`).toEqual([
        { id: "c1", event: "change", data: "{\"a\":1}" },
        { id: "c2", event: "change", data: "line one\nline two" },
        { id: "c2", event: "message", data: "no id" },
      ]);
    }
  });
});
