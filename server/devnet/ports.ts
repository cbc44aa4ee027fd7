import http from "node:http";
import type { AddressInfo } from "node:net";

/** A loopback port nobody listens on (bound, then released). */
export async function freeLoopbackPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
