import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER } from "@/server/http/client-address";
import { NodeRequestHead } from "@/server/http/node-adapter";

/** A server on loopback whose handler gets each request's head; answers when `answer` says so. */
async function serverWith(onHead: (head: NodeRequestHead, res: http.ServerResponse) => void) {
  const server = http.createServer((req, res) => onHead(new NodeRequestHead(req, res, "http://console.test"), res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as AddressInfo).port };
}

let running: http.Server | null = null;
afterEach(() => void running?.close());

describe("the custom server's request head", () => {
  it("carries the method, the URL on the console's origin and the headers, with the socket's address", async () => {
    let seen: { method: string; url: string; ua: string | null; addr: string | null } | null = null;
    const { server, port } = await serverWith((head, res) => {
      seen = {
        method: head.method,
        url: head.url,
        ua: head.headers.get("user-agent"),
        addr: head.headers.get(CLIENT_ADDRESS_HEADER),
      };
      res.end("ok");
    });
    running = server;
    const r = await fetch(`http://127.0.0.1:${port}/get_phase?x=1`, {
      method: "PUT",
      headers: { "user-agent": "miner/1", [CLIENT_ADDRESS_HEADER]: "203.0.113.9" },
    });
    expect(await r.text()).toBe("ok");
    expect(seen).toEqual({
      method: "PUT",
      url: "http://console.test/get_phase?x=1",
      ua: "miner/1",
      addr: "127.0.0.1",
    });
  });

  it("aborts its signal when the client leaves before the answer, and only then", async () => {
    const signals: AbortSignal[] = [];
    const { server, port } = await serverWith((head, res) => {
      signals.push(head.signal);
      // The first request is left hanging (the client gives up); the second is answered.
      if (signals.length === 2) res.end("done");
    });
    running = server;
    const gone = new AbortController();
    const first = fetch(`http://127.0.0.1:${port}/search`, { signal: gone.signal }).catch((e: Error) => e.name);
    await expect.poll(() => signals.length).toBe(1);
    expect(signals[0].aborted).toBe(false);
    gone.abort();
    expect(await first).toBe("AbortError");
    await expect.poll(() => signals[0].aborted).toBe(true);

    expect(await (await fetch(`http://127.0.0.1:${port}/search`)).text()).toBe("done");
    await new Promise((r) => setTimeout(r, 50));
    expect(signals[1].aborted).toBe(false);
  });
});
