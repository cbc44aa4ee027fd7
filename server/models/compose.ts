import { createHash } from "node:crypto";
import fs from "node:fs";
import { Readable } from "node:stream";
import type { CatalogTensor } from "./catalog";
import { composeHeader } from "./safetensors";

/** One safetensors file made of a new header and byte ranges of the shards, never held in memory. */
export interface Composition {
  header: Buffer;
  /** Contiguous file ranges, adjacent ones merged. `end` is exclusive. */
  segments: Array<{ file: string; start: number; end: number }>;
  length: number;
  tensorCount: number;
}

export function compose(tensors: CatalogTensor[], metadata: Record<string, string>): Composition {
  const { header } = composeHeader(tensors, metadata);
  const segments: Composition["segments"] = [];
  for (const t of tensors) {
    const start = t.fileStart;
    const end = t.fileStart + (t.end - t.begin);
    const last = segments[segments.length - 1];
    if (last && last.file === t.file && last.end === start) last.end = end;
    else if (end > start) segments.push({ file: t.file, start, end });
  }
  const length = header.length + segments.reduce((n, s) => n + (s.end - s.start), 0);
  return { header, segments, length, tensorCount: tensors.length };
}

/** Read size and read-ahead: large enough to keep the disk busy while the socket drains, small enough for many downloads. */
const CHUNK = 2 << 20;

/** Streams bytes [start, end) of the composed file. */
export function openRange(c: Composition, start = 0, end = c.length): Readable {
  async function* bytes() {
    let pos = 0;
    if (start < c.header.length) yield c.header.subarray(start, Math.min(end, c.header.length));
    pos = c.header.length;
    for (const s of c.segments) {
      const len = s.end - s.start;
      const from = Math.max(start, pos);
      const to = Math.min(end, pos + len);
      if (from < to) {
        for await (const chunk of fs.createReadStream(s.file, {
          start: s.start + (from - pos),
          end: s.start + (to - pos) - 1,
          highWaterMark: CHUNK,
        })) {
          yield chunk as Buffer;
        }
      }
      pos += len;
      if (pos >= end) break;
    }
  }
  return Readable.from(bytes(), { objectMode: false, highWaterMark: CHUNK });
}

/** sha256 of the whole composed file (computed once, when a version is published). */
export async function hashComposition(c: Composition): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of openRange(c)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Parses a single-range `Range` header against a length; null: serve whole; "unsatisfiable": 416. */
export function parseRange(
  header: string | null,
  length: number,
): { start: number; end: number } | null | "unsatisfiable" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null; // malformed or multi-range: ignore, as RFC 9110 allows
  let start: number;
  let end: number;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, length - suffix);
    end = length;
  } else {
    start = Number(m[1]);
    // last-pos before first-pos makes the range invalid, and an invalid Range is ignored (RFC 9110 14.1.1).
    if (m[2] !== "" && Number(m[2]) < start) return null;
    end = m[2] === "" ? length : Math.min(Number(m[2]) + 1, length);
  }
  if (start >= length || end <= start) return "unsatisfiable";
  return { start, end };
}
