import { describe, expect, it } from "vitest";
import { parseRange } from "@/server/models/compose";
import {
  composeHeader,
  parseHeader,
  readHeaderLength,
  SafetensorsError,
  MAX_HEADER_BYTES,
} from "@/server/models/safetensors";
import { isForbiddenAddress } from "@/server/validator/fetch-checkpoint";
import { submissionMessage } from "@/server/validator/message";
import { roundPoints, scoreOf, weightsFrom } from "@/server/validator/scoring";
import { shortPhaseName } from "@/server/validator/api";
import { toU16Weights } from "@/server/validator/weights";

/** A safetensors file as bytes, from a header object and a data length. */
function file(header: unknown, dataBytes: number): { json: Buffer; size: number } {
  const json = Buffer.from(JSON.stringify(header));
  return { json, size: 8 + json.length + dataBytes };
}

function parse(header: unknown, dataBytes: number) {
  const f = file(header, dataBytes);
  return parseHeader(f.json, f.json.length, f.size);
}

describe("safetensors headers", () => {
  it("parses tensors and metadata", () => {
    const h = parse(
      {
        __metadata__: { format: "pt" },
        a: { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] },
        b: { dtype: "BF16", shape: [4], data_offsets: [24, 32] },
      },
      32,
    );
    expect(h.metadata).toEqual({ format: "pt" });
    expect(h.tensors.map((t) => [t.name, t.begin, t.end])).toEqual([
      ["a", 0, 24],
      ["b", 24, 32],
    ]);
  });

  it.each([
    ["not JSON", "{", 0, "not valid JSON"],
    ["an array", [], 0, "not a JSON object"],
    ["an unknown dtype", { a: { dtype: "F33", shape: [1], data_offsets: [0, 4] } }, 4, "unknown dtype"],
    ["a negative dimension", { a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4, "bad shape"],
    ["fractional offsets", { a: { dtype: "F32", shape: [1], data_offsets: [0.5, 4] } }, 4, "bad data_offsets"],
    ["offsets ending before they begin", { a: { dtype: "F32", shape: [0], data_offsets: [4, 0] } }, 4, "end before"],
    ["offsets past the end", { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, 4, "past the end"],
    ["a size that does not fit the dtype", { a: { dtype: "F16", shape: [3], data_offsets: [0, 8] } }, 8, "expected 6"],
    [
      "overlapping tensors",
      { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } },
      12,
      "overlap",
    ],
    ["non-string metadata", { __metadata__: { step: 5 } }, 0, "__metadata__"],
  ])("refuses %s", (_what, header, data, message) => {
    const json = typeof header === "string" ? Buffer.from(header) : Buffer.from(JSON.stringify(header));
    expect(() => parseHeader(json, json.length, 8 + json.length + (data as number))).toThrow(SafetensorsError);
    expect(() => parseHeader(json, json.length, 8 + json.length + (data as number))).toThrow(message as string);
  });

  it("refuses header lengths that are huge, tiny or past the end", () => {
    const n = (v: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      return b;
    };
    expect(() => readHeaderLength(n(BigInt(MAX_HEADER_BYTES) + 1n), 1e12)).toThrow("exceeds");
    expect(() => readHeaderLength(n(2n ** 63n), 1e12)).toThrow("exceeds");
    expect(() => readHeaderLength(n(100n), 50)).toThrow("past the end");
    expect(() => readHeaderLength(n(1n), 50)).toThrow("too small");
    expect(() => readHeaderLength(Buffer.alloc(4), 4)).toThrow("shorter than 8");
    expect(readHeaderLength(n(16n), 24)).toBe(16);
  });

  it("composes aligned headers that parse back to the same layout", () => {
    const { header, offsets, dataBytes } = composeHeader(
      [
        { name: "x", dtype: "F32", shape: [3] },
        { name: "y", dtype: "U8", shape: [5] },
      ],
      { model_version: "step_1" },
    );
    expect((header.length - 8) % 8).toBe(0);
    expect(offsets).toEqual([
      [0, 12],
      [12, 17],
    ]);
    const n = readHeaderLength(header.subarray(0, 8), header.length + dataBytes);
    const parsed = parseHeader(header.subarray(8), n, header.length + dataBytes);
    expect(parsed.metadata).toEqual({ model_version: "step_1" });
    expect(parsed.tensors.map((t) => [t.name, t.dtype, t.shape, t.begin, t.end])).toEqual([
      ["x", "F32", [3], 0, 12],
      ["y", "U8", [5], 12, 17],
    ]);
  });
});

describe("Range", () => {
  it.each([
    [null, null],
    ["bytes=0-99", { start: 0, end: 100 }],
    ["bytes=100-", { start: 100, end: 1000 }],
    ["bytes=-100", { start: 900, end: 1000 }],
    ["bytes=990-5000", { start: 990, end: 1000 }],
    ["bytes=-5000", { start: 0, end: 1000 }],
    ["bytes=1000-", "unsatisfiable"],
    ["bytes=500-100", null], // last-pos before first-pos: invalid, so ignored (RFC 9110)
    ["bytes=5-2", null],
    ["bytes=-0", "unsatisfiable"],
    ["bytes=0-1,5-6", null],
    ["items=0-1", null],
  ])("%s of 1000 bytes", (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });
});

describe("the submission message", () => {
  it("is what Python's json.dumps(d, sort_keys=True, separators=(',', ':')) writes", () => {
    expect(
      submissionMessage({
        hotkey: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
        expert_group: 0,
        checkpoint_url: "https://miner-server.example.com/checkpoint_500_12345.pt",
        block_number: 12345,
      }),
    ).toBe(
      '{"block_number":12345,"checkpoint_url":"https://miner-server.example.com/checkpoint_500_12345.pt","expert_group":0,"hotkey":"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty"}',
    );
  });
});

describe("scoring", () => {
  it("scores max(0, baseline - loss) ^ 1.2", () => {
    expect(scoreOf(4, 3)).toBe(1);
    expect(scoreOf(4.5, 4)).toBeCloseTo(0.5 ** 1.2, 12);
    expect(scoreOf(4, 4.5)).toBe(0);
    expect(scoreOf(4, NaN)).toBe(0);
    expect(scoreOf(4, -Infinity)).toBe(0);
  });

  it("gives 2.25 / 1.5 / 1.0 to the top three unique positive scores, the earliest of a tie", () => {
    const t = (s: number) => new Date(1_700_000_000_000 + s * 1000);
    const points = roundPoints([
      { id: "a", score: 0.5, createdAt: t(1) },
      { id: "b", score: 0.9, createdAt: t(2) },
      { id: "c", score: 0.9, createdAt: t(1) }, // same score, earlier: c gets it
      { id: "d", score: 0.2, createdAt: t(3) },
      { id: "e", score: 0.1, createdAt: t(4) },
      { id: "f", score: 0, createdAt: t(0) },
      { id: "g", score: null, createdAt: t(0) },
    ]);
    expect(Object.fromEntries(points)).toEqual({ a: 1.5, b: 0, c: 2.25, d: 1.0, e: 0, f: 0, g: 0 });
  });

  it("averages round points over the last 8 rounds and normalises", () => {
    const w = weightsFrom(
      [
        { round: 10, uid: 1, points: 2.25 },
        { round: 10, uid: 2, points: 1.5 },
        { round: 9, uid: 1, points: 2.25 },
        { round: 2, uid: 3, points: 2.25 }, // outside the window
      ],
      10,
    );
    expect([...w.keys()]).toEqual([1, 2]);
    expect(w.get(1)).toBeCloseTo(4.5 / 6, 12);
    expect(w.get(2)).toBeCloseTo(1.5 / 6, 12);
    expect(weightsFrom([], 10).size).toBe(0);
  });
});

describe("checkpoint URL addresses", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.5.5.5", true],
    ["::1", true],
    ["10.1.2.3", true],
    ["172.16.0.1", true],
    ["172.31.255.255", true],
    ["192.168.1.1", true],
    ["169.254.169.254", true],
    ["0.0.0.0", true],
    ["100.64.0.1", true],
    ["fe80::1", true],
    ["fd00::1", true],
    ["::ffff:127.0.0.1", true],
    ["::ffff:10.0.0.1", true],
    ["224.0.0.1", true],
    ["8.8.8.8", false],
    ["172.32.0.1", false],
    ["1.1.1.1", false],
    ["2606:4700:4700::1111", false],
    ["::ffff:8.8.8.8", false],
  ])("%s forbidden: %s", (ip, forbidden) => {
    expect(isForbiddenAddress(ip as string)).toBe(forbidden);
  });
});

describe("/health phase names", () => {
  it.each([
    ["Distribute", "distribute"],
    ["Train", "train"],
    ["MinerCommit1", "commit"],
    ["MinerCommit2", "commit"],
    ["Submission", "submit"],
    ["Validate", "validate"],
    ["Merge", "merge"],
    ["ValidatorCommit1", "commit"],
    ["ValidatorCommit2", "commit"],
  ])("%s is %s", (name, short) => expect(shortPhaseName(name)).toBe(short));
});

describe("weights for set_weights", () => {
  it("scales to u16 with the largest at 65535, sorted by uid, zeros left out", () => {
    expect(
      toU16Weights(
        new Map([
          [5, 0.25],
          [2, 0.5],
          [9, 0.25],
          [3, 0],
        ]),
      ),
    ).toEqual({ uids: [2, 5, 9], weights: [65535, 32768, 32768] });
    expect(
      toU16Weights(
        new Map([
          [1, 1e-9],
          [2, 1],
        ]),
      ),
    ).toEqual({ uids: [1, 2], weights: [1, 65535] });
    expect(toU16Weights(new Map())).toEqual({ uids: [], weights: [] });
  });
});
