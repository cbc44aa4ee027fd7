import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeDevnetModel } from "@/server/devnet/model";
import { loadCatalog, select } from "@/server/models/catalog";
import { compose, hashComposition, openRange } from "@/server/models/compose";
import { DTYPE_SIZES } from "@/server/models/safetensors";
import { FetchRefused, fetchCheckpoint } from "@/server/validator/fetch-checkpoint";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "console-ckpt-"));
const modelDir = path.join(tmp, "model");

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** An independent reference: read every tensor whole, then lay the file out by hand. */
function referenceFile(
  tensors: Array<{
    name: string;
    dtype: string;
    shape: number[];
    file: string;
    fileStart: number;
    begin: number;
    end: number;
  }>,
  metadata: Record<string, string>,
): Buffer {
  const obj: Record<string, unknown> = { __metadata__: metadata };
  let pos = 0;
  const data: Buffer[] = [];
  for (const t of tensors) {
    const len = t.end - t.begin;
    obj[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [pos, pos + len] };
    pos += len;
    data.push(fs.readFileSync(t.file).subarray(t.fileStart, t.fileStart + len));
  }
  let json = JSON.stringify(obj);
  while (Buffer.byteLength(json) % 8) json += " ";
  const n = Buffer.alloc(8);
  n.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([n, Buffer.from(json), ...data]);
}

describe("model catalog and composition", () => {
  beforeAll(async () => {
    await writeDevnetModel(modelDir);
  });

  it("reads a sharded model and partitions the routed experts into groups", async () => {
    const catalog = await loadCatalog(modelDir, 4);
    expect(new Set(catalog.tensors.map((t) => t.file)).size).toBe(2);
    expect(catalog.groups).toHaveLength(4);
    // 8 experts per layer, 2 layers: two experts of each layer per group, disjoint, covering all.
    const all = catalog.groups.flatMap((g) => g.members.map((m) => `${m.layer}:${m.expert}`));
    expect(new Set(all).size).toBe(16);
    expect(catalog.groups[1].members).toEqual([
      { layer: 0, expert: 2 },
      { layer: 0, expert: 3 },
      { layer: 1, expert: 2 },
      { layer: 1, expert: 3 },
    ]);
    const shared = select(catalog, "shared")!;
    expect(shared.every((t) => !t.name.includes(".experts."))).toBe(true);
    expect(shared.map((t) => t.name)).toContain("model.layers.0.mlp.gate.weight");
    expect(select(catalog, { group: 9 })).toBeNull();
  });

  it("reads expert_groups.json when the model has one", async () => {
    const dir = path.join(tmp, "assigned");
    await writeDevnetModel(dir);
    fs.writeFileSync(
      path.join(dir, "expert_groups.json"),
      JSON.stringify({
        "0": {
          "0": [
            [0, 7],
            [1, 1],
          ],
        },
        "1": { "1": [[0, 0]] },
      }),
    );
    const catalog = await loadCatalog(dir, 4);
    expect(catalog.groups).toEqual([
      {
        id: 0,
        members: [
          { layer: 0, expert: 7 },
          { layer: 0, expert: 1 },
        ],
      },
      { id: 1, members: [{ layer: 1, expert: 0 }] },
    ]);
    fs.writeFileSync(path.join(dir, "expert_groups.json"), JSON.stringify({ "0": { "0": [[0, 99]] } }));
    await expect(loadCatalog(dir, 4)).rejects.toThrow("does not have");
  });

  it("composes partial, shared and full files byte-identical to a reference, and ranges resume exactly", async () => {
    const catalog = await loadCatalog(modelDir, 4);
    for (const selector of ["full", "shared", { group: 0 }, { group: 3 }] as const) {
      const tensors = select(catalog, selector)!;
      const meta = {
        expert_group: typeof selector === "string" ? selector : String(selector.group),
        model_version: "v",
      };
      const c = compose(tensors, meta);
      const whole = await drain(openRange(c));
      const ref = referenceFile(tensors, meta);
      expect(whole.equals(ref)).toBe(true);
      expect(whole.length).toBe(c.length);
      expect(await hashComposition(c)).toBe(createHash("sha256").update(ref).digest("hex"));
      for (const cut of [1, 7, 8, c.header.length, c.header.length + 5, c.length - 1]) {
        const head = await drain(openRange(c, 0, cut));
        const tail = await drain(openRange(c, cut));
        expect(Buffer.concat([head, tail]).equals(ref)).toBe(true);
      }
    }
    const full = compose(catalog.tensors, {});
    // Tensors of one shard in file order merge into one segment per shard.
    expect(full.segments).toHaveLength(2);
    expect(catalog.tensors.reduce((n, t) => n + (t.end - t.begin), 0)).toBe(
      catalog.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1) * DTYPE_SIZES[t.dtype], 0),
    );
  });
});

describe("fetching checkpoints", () => {
  let server: http.Server;
  let base: string;
  const big = Buffer.alloc(200_000, 7);
  const opts = { maxBytes: 100_000, connectTimeoutMs: 2000, totalTimeoutMs: 3000, allowPrivate: true };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = req.url ?? "/";
      if (url === "/ok") return void res.end(Buffer.from("checkpoint-bytes"));
      if (url === "/big") return void res.end(big);
      if (url === "/big-chunked") {
        res.writeHead(200); // no content-length: the cap applies while streaming
        res.write(big.subarray(0, 60_000));
        return void res.end(big.subarray(60_000));
      }
      if (url === "/slow") {
        res.writeHead(200);
        const t = setInterval(() => res.write("x"), 200);
        return void res.on("close", () => clearInterval(t));
      }
      if (url.startsWith("/hop/")) {
        const n = Number(url.slice(5));
        res.writeHead(302, { location: n > 0 ? `/hop/${n - 1}` : "/ok" });
        return void res.end();
      }
      if (url === "/to-metadata") {
        res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" });
        return void res.end();
      }
      if (url === "/to-file") {
        res.writeHead(302, { location: "file:///etc/passwd" });
        return void res.end();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  const dest = () => path.join(fs.mkdtempSync(path.join(tmp, "f-")), "c.safetensors");

  it("downloads and hashes", async () => {
    const d = dest();
    const r = await fetchCheckpoint(`${base}/ok`, d, opts);
    expect(r).toMatchObject({ bytes: 16, sha256: createHash("sha256").update("checkpoint-bytes").digest("hex") });
    expect(fs.readFileSync(d, "utf8")).toBe("checkpoint-bytes");
  });

  it.each([
    ["http://127.0.0.1:9/x", "refused address 127.0.0.1"],
    ["http://169.254.169.254/latest/meta-data/", "refused address 169.254.169.254"],
    ["http://10.0.0.8/c", "refused address 10.0.0.8"],
    ["http://192.168.1.20/c", "refused address"],
    ["http://[::1]:9/c", "refused address ::1"],
    ["http://localhost:9/c", "refused address"],
  ])("refuses %s without connecting", async (url, message) => {
    await expect(fetchCheckpoint(url, dest(), { ...opts, allowPrivate: false })).rejects.toThrow(message);
  });

  it("checks every redirect target again", async () => {
    const loopbackOnly = { ...opts, isAllowed: (ip: string) => ip === "127.0.0.1" };
    await expect(fetchCheckpoint(`${base}/to-metadata`, dest(), loopbackOnly)).rejects.toThrow(
      "refused address 169.254.169.254",
    );
    await expect(fetchCheckpoint(`${base}/to-file`, dest(), opts)).rejects.toThrow("only http and https");
    expect((await fetchCheckpoint(`${base}/hop/2`, dest(), opts)).bytes).toBe(16);
    await expect(fetchCheckpoint(`${base}/hop/3`, dest(), opts)).rejects.toThrow("more than 3 redirects");
  });

  it("refuses oversized checkpoints, declared or streamed, and leaves no file", async () => {
    const d1 = dest();
    await expect(fetchCheckpoint(`${base}/big`, d1, opts)).rejects.toThrow("more than the 100000 allowed");
    const d2 = dest();
    await expect(fetchCheckpoint(`${base}/big-chunked`, d2, opts)).rejects.toThrow("exceeds the 100000 bytes");
    expect(fs.existsSync(d2)).toBe(false);
  });

  it("gives up on a slow checkpoint within the time limit", async () => {
    const started = Date.now();
    await expect(fetchCheckpoint(`${base}/slow`, dest(), { ...opts, totalTimeoutMs: 800 })).rejects.toBeInstanceOf(
      FetchRefused,
    );
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await fetchCheckpoint(`${base}/ok`, dest(), opts)).bytes).toBe(16); // still fine afterwards
  });

  it("reports a 404", async () => {
    await expect(fetchCheckpoint(`${base}/missing`, dest(), opts)).rejects.toThrow("answered 404");
  });
});
