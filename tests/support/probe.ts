import fs from "node:fs";
import net from "node:net";

/** Resident memory of a process in MB (Linux). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** How long GET /get_phase takes, in ms. */
export async function phaseLatencyMs(base: string): Promise<number> {
  const t = performance.now();
  const r = await fetch(`${base}/get_phase`);
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`/get_phase answered ${r.status}`);
  return performance.now() - t;
}

/** A raw HTTP exchange: bytes out, the whole answer back as text (for requests fetch will not send). */
export function rawHttp(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let out = "";
    const timer = setTimeout(() => (socket.destroy(), reject(new Error("raw request timed out"))), timeoutMs);
    socket.on("data", (d) => (out += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => (clearTimeout(timer), resolve(out)));
    socket.end(request);
  });
}

/** Status, headers and body of a raw HTTP answer. */
export function parseRaw(text: string): { status: number; headers: string; body: string } {
  const i = text.indexOf("\r\n\r\n");
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
    headers: text.slice(0, i),
    body: text.slice(i + 4),
  };
}

/**
 * Sends `size` bytes as a chunked body (no Content-Length to refuse it by) over a raw socket, stops when
 * the server answers, and returns the answer's status and body. A raw socket keeps the answer even when
 * the server closes the connection mid-upload, as a server refusing a body should.
 */
export function bigUpload(
  url: string,
  size: number,
  headers: Record<string, string>,
  localAddress?: string,
): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: Number(u.port), host: u.hostname, localAddress });
    let answer = "";
    let sent = 0;
    const timer = setTimeout(() => (socket.destroy(), reject(new Error("upload timed out"))), 60_000);
    const head = [
      `POST ${u.pathname}${u.search} HTTP/1.1`,
      `Host: ${u.host}`,
      "Transfer-Encoding: chunked",
      "Connection: close",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ].join("\r\n");
    const chunk = Buffer.concat([Buffer.from("10000\r\n"), Buffer.alloc(0x10000, 0x41), Buffer.from("\r\n")]);
    const pump = () => {
      while (sent < size && !answer && !socket.destroyed) {
        sent += 0x10000;
        if (!socket.write(chunk)) return void socket.once("drain", pump);
      }
      if (sent >= size && !socket.destroyed) socket.write("0\r\n\r\n");
    };
    socket.on("connect", () => {
      socket.write(head + "\r\n\r\n");
      pump();
    });
    socket.on("data", (d) => (answer += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      clearTimeout(timer);
      const { status, body } = parseRaw(answer);
      resolve({ status, body: /transfer-encoding: chunked/i.test(answer) ? dechunk(body) : body });
    });
  });
}

function dechunk(body: string): string {
  let out = "";
  for (let i = 0; i < body.length;) {
    const eol = body.indexOf("\r\n", i);
    const n = parseInt(body.slice(i, eol), 16);
    if (!n) break;
    out += body.slice(eol + 2, eol + 2 + n);
    i = eol + 2 + n + 2;
  }
  return out;
}
