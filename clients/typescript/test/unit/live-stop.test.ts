import { describe, expect, it } from "vitest";
import { startLive, type LiveContext } from "../../src/live.js";
import { openStore, setCursor, type Store } from "../../src/store.js";

describe("startLive()", () => {
  it("stopped while it reads its cursor, it opens no stream and asks for no changes", async () => {
    const store = await openStore(`live-stop-${Math.random()}`);
    await setCursor(store, "c1");
    let handOver: (s: Store) => void = () => undefined;
    const storeAsked = new Promise<Store>((resolve) => (handOver = resolve));
    const requests: string[] = [];
    const ctx = {
      sync: {
        workspaceId: "ws_t",
        isOnline: () => true,
        store: () => storeAsked,
        transport: {
          openStream: async () => {
            requests.push("stream");
            return { kind: "failed", message: "not in this test" };
          },
          changes: async () => {
            requests.push("changes");
            return { kind: "failed", failure: { message: "not in this test" } };
          },
        },
      },
      syncLock: { run: async <T>(work: () => Promise<T>) => work() },
      options: {},
    } as unknown as LiveContext;

    const stop = startLive(ctx);
    stop(); // while follow() waits for the store
    handOver(store);
    const quietUntil = Date.now() + 300;
    while (Date.now() < quietUntil) await new Promise((r) => setTimeout(r, 20));

    expect(requests).toEqual([]);
    store.close();
  });
});
