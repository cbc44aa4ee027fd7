import { Keyring } from "@polkadot/keyring";
import { u8aToHex } from "@polkadot/util";
import { cryptoWaitReady } from "@polkadot/util-crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeBase64Url, isSs58Address, verifyHotkeySignature } from "@/server/crypto/signature";
import { isAppError } from "@/server/errors";
import { bearerAuth, headerKeyAuth, signedRequestAuth } from "@/server/rest/auth";
import { safeEqual } from "@/server/crypto/safe-equal";

let keyring: Keyring;
beforeAll(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ ss58Format: 42 });
});

const b64url = (u8: Uint8Array, pad = false) => {
  const s = Buffer.from(u8).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
  return pad ? s : s.replace(/=+$/, "");
};

function statusOf(fn: () => unknown): number | "ok" {
  try {
    fn();
    return "ok";
  } catch (e) {
    if (isAppError(e)) return e.status;
    throw e;
  }
}

describe("safeEqual", () => {
  it("compares exactly", () => {
    expect(safeEqual("secret-token", "secret-token")).toBe(true);
    expect(safeEqual("secret-token", "secret-tokem")).toBe(false);
    expect(safeEqual("secret-token", "secret-token-longer")).toBe(false);
    expect(safeEqual("", "")).toBe(true);
  });
});

describe("bearer token", () => {
  const auth = bearerAuth("bearer", () => "s3cret-token-value");
  const req = (h?: string) => new Request("http://x/model/partial", { headers: h ? { authorization: h } : {} });
  it("accepts the token and refuses everything else with 401", () => {
    expect(statusOf(() => auth.authenticate(req("Bearer s3cret-token-value")))).toBe("ok");
    expect(statusOf(() => auth.authenticate(req("bearer s3cret-token-value")))).toBe("ok");
    expect(statusOf(() => auth.authenticate(req()))).toBe(401);
    expect(statusOf(() => auth.authenticate(req("Bearer wrong")))).toBe(401);
    expect(statusOf(() => auth.authenticate(req("Basic s3cret-token-value")))).toBe(401);
  });
  it("refuses everyone when no token is configured", () => {
    const off = bearerAuth("bearer", () => undefined);
    expect(statusOf(() => off.authenticate(req("Bearer ")))).toBe(401);
    expect(statusOf(() => off.authenticate(req("Bearer undefined")))).toBe(401);
  });
});

describe("header key", () => {
  it("403 when unset on the server, 401 when missing or wrong", () => {
    const scheme = (key: string | undefined) =>
      headerKeyAuth({ name: "key", header: "access-key", key: () => key, disabledMessage: "API is disabled." });
    const on = scheme("Str0ng!Access#Key");
    const off = scheme(undefined);
    const req = (k?: string) => new Request("http://x/search", { headers: k ? { "access-key": k } : {} });
    expect(statusOf(() => on.authenticate(req("Str0ng!Access#Key")))).toBe("ok");
    expect(statusOf(() => on.authenticate(req("nope")))).toBe(401);
    expect(statusOf(() => on.authenticate(req()))).toBe(401);
    expect(statusOf(() => off.authenticate(req("Str0ng!Access#Key")))).toBe(403);
  });
});

describe("signatures", () => {
  it("decodes URL-safe base64 with and without padding, and refuses junk", () => {
    const bytes = new Uint8Array([251, 255, 0, 1, 2]);
    expect(decodeBase64Url(b64url(bytes))).toEqual(bytes);
    expect(decodeBase64Url(b64url(bytes, true))).toEqual(bytes);
    expect(decodeBase64Url("not base64!")).toBeNull();
    expect(decodeBase64Url("a")).toBeNull();
  });

  it.each(["sr25519", "ed25519"] as const)("verifies %s signatures over UTF-8 messages, never throws", (type) => {
    const pair = keyring.addFromUri(`//Alice//${type}`, {}, type);
    const message = '{"block_number":12345,"checkpoint_url":"https://m.example/c.pt","expert_group":0,"hotkey":"x"}';
    const sig = pair.sign(new TextEncoder().encode(message));
    expect(verifyHotkeySignature(message, b64url(sig), pair.address)).toBe(true);
    expect(verifyHotkeySignature(message, b64url(sig, true), pair.address)).toBe(true);
    expect(verifyHotkeySignature(message, u8aToHex(sig), pair.address)).toBe(true);
    expect(verifyHotkeySignature(message + " ", b64url(sig), pair.address)).toBe(false);
    const other = keyring.addFromUri(`//Bob//${type}`, {}, type);
    expect(verifyHotkeySignature(message, b64url(sig), other.address)).toBe(false);
    expect(verifyHotkeySignature(message, "AAAA", pair.address)).toBe(false);
    expect(verifyHotkeySignature(message, b64url(sig), "not-an-address")).toBe(false);
    expect(verifyHotkeySignature(message, "%%%", pair.address)).toBe(false);
  });

  it("recognises SS58 addresses", () => {
    expect(isSs58Address("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty")).toBe(true);
    expect(isSs58Address("5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694tx")).toBe(false);
    expect(isSs58Address("0x1234")).toBe(false);
    expect(isSs58Address("")).toBe(false);
  });
});

describe("signed requests", () => {
  const NOW = 1_732_200_000_000;
  const signed = (
    pair: ReturnType<Keyring["addFromUri"]>,
    path: string,
    ts: number,
    method = "GET",
    hotkey = pair.address,
  ) => {
    const sig = b64url(pair.sign(new TextEncoder().encode(`${ts}.${method}.${path}`)));
    return new Request(`http://x${path}`, {
      method,
      headers: { "x-hotkey": hotkey, "x-timestamp": String(ts), "x-signature": sig },
    });
  };

  const outcome = (p: unknown) =>
    Promise.resolve(p).then(
      () => "ok" as const,
      (e: unknown) => {
        if (isAppError(e)) return e.status;
        throw e;
      },
    );
  const run = (auth: ReturnType<typeof signedRequestAuth>, req: Request) =>
    outcome(Promise.resolve().then(() => auth.authenticate(req)));

  it("accepts a fresh signature once, refuses replay, skew, tampering and missing headers", async () => {
    const auth = signedRequestAuth("signed", { now: () => NOW });
    const alice = keyring.addFromUri("//Alice", {}, "sr25519");
    const ts = NOW / 1000;
    const req = signed(alice, "/model/full?x=1", ts);
    expect(await auth.authenticate(req)).toEqual({ scheme: "signed", hotkey: alice.address });
    expect(await run(auth, req)).toBe(401); // replay
    expect(await run(auth, signed(alice, "/model/full", ts - 61))).toBe(401); // too old
    expect(await run(auth, signed(alice, "/model/full", ts + 61))).toBe(401); // from the future
    expect(((await auth.authenticate(signed(alice, "/model/full", ts - 59))) as { hotkey: string }).hotkey).toBe(
      alice.address,
    );

    const bob = keyring.addFromUri("//Bob", {}, "sr25519");
    expect(await run(auth, signed(alice, "/model/full", ts, "GET", bob.address))).toBe(401); // wrong key
    const tampered = signed(alice, "/model/full", ts);
    expect(await run(auth, new Request("http://x/model/partial", { headers: tampered.headers }))).toBe(401);
    expect(await run(auth, new Request("http://x/model/full"))).toBe(401);
    expect(
      await run(
        auth,
        new Request("http://x/model/full", {
          headers: { "x-hotkey": "junk", "x-timestamp": "1", "x-signature": "AA" },
        }),
      ),
    ).toBe(401);
  });

  it("refuses the same signature re-encoded (standard base64, padding, 0x-hex in upper case)", async () => {
    const auth = signedRequestAuth("signed", { now: () => NOW });
    const alice = keyring.addFromUri("//Alice", {}, "sr25519");
    const ts = NOW / 1000;
    const first = signed(alice, "/model/full", ts);
    const bytes = Buffer.from(first.headers.get("x-signature")!, "base64url");
    expect(await run(auth, first)).toBe("ok");
    for (const encoding of [
      bytes.toString("base64"),
      bytes.toString("base64url") + "==",
      "0x" + bytes.toString("hex"),
      "0X" + bytes.toString("hex").toUpperCase(),
    ]) {
      const again = new Request("http://x/model/full", {
        headers: { "x-hotkey": alice.address, "x-timestamp": String(ts), "x-signature": encoding },
      });
      expect(await run(auth, again), encoding).toBe(401);
    }
  });

  it("accepts the same signature again once the replay window has passed and the clock allows it", async () => {
    let now = NOW;
    const auth = signedRequestAuth("signed", { now: () => now, maxSkewS: 1000, replayWindowS: 120 });
    const alice = keyring.addFromUri("//Alice", {}, "ed25519");
    const req = () => signed(alice, "/model/full", NOW / 1000);
    expect(await run(auth, req())).toBe("ok");
    now += 60_000;
    expect(await run(auth, req())).toBe(401);
    now += 121_000;
    expect(await run(auth, req())).toBe("ok");
  });
});
