import { describe, expect, it } from "vitest";
import { allowList, isAllowed, plainAddress } from "@/server/compute/allow-list";
import { parseConfig } from "@/server/env";
import { computeConfig } from "@/server/compute/config";

describe("the compute API's address allow-list", () => {
  const list = allowList("203.0.113.7, 10.0.0.0/8, 2001:db8::/32");
  it("matches addresses and CIDR ranges of both families, IPv4 seen on a dual-stack socket too", () => {
    expect(isAllowed(list, "203.0.113.7")).toBe(true);
    expect(isAllowed(list, "::ffff:203.0.113.7")).toBe(true);
    expect(isAllowed(list, "10.255.0.1")).toBe(true);
    expect(isAllowed(list, "2001:db8::1")).toBe(true);
    expect(isAllowed(list, "203.0.113.8")).toBe(false);
    expect(isAllowed(list, "11.0.0.1")).toBe(false);
    expect(isAllowed(list, "2001:db9::1")).toBe(false);
    expect(isAllowed(list, "")).toBe(false);
    expect(isAllowed(list, "not an address")).toBe(false);
    expect(plainAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
  });
  it("refuses entries that are not addresses or ranges, at start, with the entry", () => {
    expect(() => computeConfig.parse({ COMPUTE_ALLOWED_IPS: "10.0.0.0/33" })).toThrow(
      '"10.0.0.0/33" has no valid prefix length',
    );
    expect(() => computeConfig.parse({ COMPUTE_ALLOWED_IPS: "localhost" })).toThrow('"localhost" is not an IP address');
    expect(() => parseConfig({ TLS_CLIENT_CA: "/ca.pem" })).toThrow("TLS_CLIENT_CA needs TLS_CERT");
  });
});
