import { createHash } from "node:crypto";
import dns from "node:dns/promises";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";

/**
 * Only global unicast addresses may be fetched: IPv4 outside the special-purpose ranges (RFC 6890 and
 * successors: private, loopback, link-local and cloud metadata, shared, documentation, benchmarking,
 * 6to4 relay, multicast, reserved), IPv6 inside 2000::/3 outside Teredo, 6to4, documentation and the
 * IETF protocol block; and never this host's own interface addresses.
 */
const blockedV4 = new net.BlockList();
for (const [addr, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const)
  blockedV4.addSubnet(addr, prefix, "ipv4");
const globalV6 = new net.BlockList();
globalV6.addSubnet("2000::", 3, "ipv6");
const blockedV6 = new net.BlockList();
for (const [addr, prefix] of [
  ["2001::", 23],
  ["2001:db8::", 32],
  ["2002::", 16],
  ["3fff::", 20],
] as const)
  blockedV6.addSubnet(addr, prefix, "ipv6");

let ownAddresses: { at: number; set: Set<string> } = { at: 0, set: new Set() };

/** This host's interface addresses (a miner must not make the validator fetch from the console itself). */
function isOwnAddress(ip: string): boolean {
  if (Date.now() - ownAddresses.at > 60_000) {
    const set = new Set<string>();
    for (const list of Object.values(os.networkInterfaces()))
      for (const a of list ?? []) set.add(a.address.toLowerCase());
    ownAddresses = { at: Date.now(), set };
  }
  return ownAddresses.set.has(ip.toLowerCase());
}

export function isForbiddenAddress(ip: string): boolean {
  const bare = ip.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return isForbiddenAddress(mapped[1]);
  if (net.isIPv4(bare)) return blockedV4.check(bare, "ipv4") || isOwnAddress(bare);
  if (!net.isIPv6(bare)) return true;
  return !globalV6.check(bare, "ipv6") || blockedV6.check(bare, "ipv6") || isOwnAddress(bare);
}

/** A URL for logs, the database and pages: credentials in it (user:password@) are replaced. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, "$1***@");
}

export class FetchRefused extends Error {}

export interface FetchOptions {
  maxBytes: number;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  allowPrivate: boolean;
  maxRedirects?: number;
  /** Overrides the address policy (tests). */
  isAllowed?: (ip: string) => boolean;
}

/** Resolves a host and refuses it when any of its addresses is forbidden (checked for every hop). */
async function vettedAddress(host: string, o: FetchOptions): Promise<{ address: string; family: number }> {
  const bare = host.replace(/^\[|\]$/g, "");
  const addrs = net.isIP(bare)
    ? [{ address: bare, family: net.isIPv6(bare) ? 6 : 4 }]
    : await dns.lookup(bare, { all: true }).catch(() => {
        throw new FetchRefused(`cannot resolve ${host}`);
      });
  if (addrs.length === 0) throw new FetchRefused(`cannot resolve ${host}`);
  const allowed = o.isAllowed ?? ((ip: string) => o.allowPrivate || !isForbiddenAddress(ip));
  {
    const bad = addrs.find((a) => !allowed(a.address));
    if (bad)
      throw new FetchRefused(`refused address ${bad.address} for ${host} (loopback, private, link-local or reserved)`);
  }
  return addrs[0];
}

/**
 * Downloads `url` into `dest`, hashing as it goes: http/https only, at most 3 redirects (each target
 * checked again), connecting only to the vetted address, within the size cap and the time limits.
 */
export async function fetchCheckpoint(
  url: string,
  dest: string,
  o: FetchOptions,
): Promise<{ bytes: number; sha256: string; finalUrl: string }> {
  let current = new URL(url);
  const deadline = Date.now() + o.totalTimeoutMs;
  for (let hop = 0; ; hop++) {
    if (current.protocol !== "http:" && current.protocol !== "https:")
      throw new FetchRefused(`only http and https URLs are fetched, not ${current.protocol}`);
    const { address, family } = await vettedAddress(current.hostname, o);
    const res = await request(current, address, family, o, deadline);
    if ([301, 302, 303, 307, 308].includes(res.statusCode ?? 0)) {
      res.resume();
      const location = res.headers.location;
      if (!location) throw new FetchRefused(`redirect without a Location from ${redactUrl(String(current))}`);
      if (hop >= (o.maxRedirects ?? 3)) throw new FetchRefused(`more than ${o.maxRedirects ?? 3} redirects`);
      current = new URL(location, current);
      continue;
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw new FetchRefused(`checkpoint URL answered ${res.statusCode}`);
    }
    const declared = Number(res.headers["content-length"] ?? NaN);
    if (Number.isFinite(declared) && declared > o.maxBytes) {
      res.destroy();
      throw new FetchRefused(`checkpoint is ${declared} bytes, more than the ${o.maxBytes} allowed`);
    }
    return await save(res, dest, o.maxBytes, deadline, current.toString());
  }
}

function request(
  url: URL,
  address: string,
  family: number,
  o: FetchOptions,
  deadline: number,
): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === "https:" ? https : http;
    const req = mod.request(url, {
      method: "GET",
      headers: { "user-agent": "subnet-console-validator", accept: "application/octet-stream" },
      // Connect to the address that was checked, never to a fresh DNS answer.
      lookup: (_host, opts, cb) => {
        if ((opts as { all?: boolean }).all)
          (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
            { address, family },
          ]);
        else cb(null, address, family);
      },
    });
    const connectTimer = setTimeout(
      () => req.destroy(new FetchRefused(`no connection within ${o.connectTimeoutMs} ms`)),
      o.connectTimeoutMs,
    );
    const totalTimer = setTimeout(
      () => req.destroy(new FetchRefused(`not fetched within ${o.totalTimeoutMs} ms`)),
      Math.max(1, deadline - Date.now()),
    );
    req.on("socket", (s) =>
      s.once(url.protocol === "https:" ? "secureConnect" : "connect", () => clearTimeout(connectTimer)),
    );
    req.on("response", (res) => {
      clearTimeout(connectTimer);
      res.once("close", () => clearTimeout(totalTimer));
      resolve(res);
    });
    req.on("error", (e) => {
      clearTimeout(connectTimer);
      clearTimeout(totalTimer);
      reject(e instanceof FetchRefused ? e : new FetchRefused(`fetch failed: ${e.message}`));
    });
    req.end();
  });
}

function save(
  res: http.IncomingMessage,
  dest: string,
  maxBytes: number,
  deadline: number,
  finalUrl: string,
): Promise<{ bytes: number; sha256: string; finalUrl: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    const out = fs.createWriteStream(dest);
    let bytes = 0;
    let failed = false;
    const timer: NodeJS.Timeout = setTimeout(
      () => fail(new FetchRefused("checkpoint download timed out")),
      Math.max(1, deadline - Date.now()),
    );
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      res.destroy();
      out.destroy();
      fs.rm(dest, { force: true }, () => reject(e));
    };
    res.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBytes) return fail(new FetchRefused(`checkpoint exceeds the ${maxBytes} bytes allowed`));
      hash.update(chunk);
      if (!out.write(chunk)) res.pause();
    });
    out.on("drain", () => res.resume());
    res.on("error", (e) => fail(new FetchRefused(`download failed: ${e.message}`)));
    res.on("aborted", () => fail(new FetchRefused("download aborted")));
    res.on("end", () => {
      clearTimeout(timer);
      if (failed) return;
      out.end(() => resolve({ bytes, sha256: hash.digest("hex"), finalUrl }));
    });
    out.on("error", (e) => fail(e));
  });
}
