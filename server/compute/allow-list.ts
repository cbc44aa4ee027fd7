/** COMPUTE_ALLOWED_IPS: the addresses and CIDR ranges that may call the compute marketplace API. */
import { BlockList, isIP } from "node:net";

/** "::ffff:203.0.113.7" (IPv4 on a dual-stack socket) as "203.0.113.7". */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

/**
 * An allow-list from "203.0.113.7, 10.0.0.0/8, 2001:db8::/32": addresses and CIDR ranges, IPv4 and IPv6.
 * Throws with the entry that is neither.
 */
export function allowList(spec: string): BlockList {
  const list = new BlockList();
  for (const raw of spec.split(",")) {
    const entry = raw.trim();
    if (!entry) continue;
    const [addr, bits] = entry.split("/");
    const family = isIP(addr);
    if (!family) throw new Error(`"${entry.slice(0, 64)}" is not an IP address or CIDR range`);
    const type = family === 4 ? "ipv4" : "ipv6";
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
      if (!(prefix >= 0 && prefix <= (family === 4 ? 32 : 128)))
        throw new Error(`"${entry.slice(0, 64)}" has no valid prefix length`);
      list.addSubnet(addr, prefix, type);
    }
  }
  return list;
}

export function isAllowed(list: BlockList, address: string): boolean {
  const a = plainAddress(address);
  const family = isIP(a);
  return family !== 0 && list.check(a, family === 4 ? "ipv4" : "ipv6");
}
