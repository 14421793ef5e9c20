import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Injected {
  status: number;
  retryAfter?: string;
}

/**
 * A proxy in front of the real stack that can misbehave on batch submissions: drop the connection after the
 * request was forwarded and answered upstream (the client never sees the answer), answer 429/503 itself, accept
 * a request and never answer it (a hung connection), answer a captive portal's HTML page, or throttle uploads.
 */
export class FaultProxy {
  readonly batchBodies: string[] = [];
  readonly batchKeys: string[] = [];
  /** Batch POSTs that reached the server. */
  forwardedBatches = 0;
  dropAfterForward = 0;
  readonly inject: Injected[] = [];
  /** Adds `Prefer: respond-async` to batch submissions, so the real server answers 202 + Location. */
  preferAsync = false;
  readonly statuses: number[] = [];
  /** Batch POSTs to accept and never answer (nothing is forwarded). */
  hangBatches = 0;
  /** Batch POSTs to answer with a 200 HTML page (a captive portal; nothing is forwarded). */
  garbleBatches = 0;
  /** Request bodies reach the server at this rate (bytes per second); 0 = unthrottled. */
  throttleBytesPerSecond = 0;
  private server: Server | undefined;
  url = "";

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    const target = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const isBatch = req.method === "POST" && req.url === "/api/v1/documents/batch";
        if (isBatch) {
          this.batchBodies.push(body.toString("utf8"));
          this.batchKeys.push(String(req.headers["idempotency-key"] ?? ""));
          if (this.hangBatches > 0) {
            this.hangBatches--;
            return; // accepted, never answered
          }
          if (this.garbleBatches > 0) {
            this.garbleBatches--;
            res.writeHead(200, { "Content-Type": "text/html" });
            res.end("<html><body>Please log in to the hotel wifi</body></html>");
            return;
          }
          const injected = this.inject.shift();
          if (injected) {
            res.writeHead(injected.status, {
              "Content-Type": "application/problem+json",
              ...(injected.retryAfter ? { "Retry-After": injected.retryAfter } : {}),
            });
            res.end(JSON.stringify({ type: "about:blank", title: "injected", status: injected.status, detail: "injected by the test proxy" }));
            return;
          }
        }
        const upstream = httpRequest({
          host: target.hostname, port: target.port, method: req.method, path: req.url,
          headers: { ...req.headers, host: target.host, ...(isBatch && this.preferAsync ? { prefer: "respond-async" } : {}) },
        }, (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (c: Buffer) => parts.push(c));
          answer.on("end", () => {
            if (isBatch) this.forwardedBatches++;
            this.statuses.push(answer.statusCode ?? 0);
            if (isBatch && this.dropAfterForward > 0) {
              this.dropAfterForward--;
              req.socket.destroy(); // the server applied it; the client never hears
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(parts));
          });
        });
        upstream.on("error", () => req.socket.destroy());
        // Throttled: the body arrives as slowly as over a link of that many bytes per second.
        const delay = this.throttleBytesPerSecond > 0 ? (body.length / this.throttleBytesPerSecond) * 1000 : 0;
        if (delay > 0) setTimeout(() => upstream.end(body), delay);
        else upstream.end(body);
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, "127.0.0.1", done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((done) => this.server?.close(() => done()) ?? done());
  }
}
