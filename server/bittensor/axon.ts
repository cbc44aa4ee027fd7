/**
 * The axon: an HTTP server for declared synapses at /{SynapseName} (and /Synapse, the ping), with
 * bittensor's pipeline: headers (400), unknown synapse (404), blacklist (403), signature and nonce (401),
 * priority, handler within its timeout (408), handler error (500). Only then is the body read, with a
 * size cap. Every answer carries the axon's own signed headers; error bodies are {"message": ...}.
 */
import http from "node:http";
import { randomUUID } from "node:crypto";
import { signHex, type Signer } from "../crypto/hotkey";
import { nextNonce, verifyHex, type Verifier } from "./keys";
import {
  BT_VERSION,
  bodyHash,
  parseTerminalHeaders,
  PingSynapse,
  requestMessage,
  responseMessage,
  toBody,
  toHeaders,
  V_7_2_0,
  type RequestOf,
  type ResponseOf,
  type AnySynapse,
  type TerminalInfo,
} from "./synapse";

/** First nonce of a (hotkey, uuid): no older than 4 s + the call's timeout (bittensor's ALLOWED_DELTA). */
const ALLOWED_DELTA_NS = 4_000_000_000n;
const MAX_NONCE_KEYS = 200_000;

export interface CallContext {
  /** The caller's hotkey (verified). */
  hotkey: string;
  /** Aborted at the call's deadline or when the caller goes away. */
  signal: AbortSignal;
}

type Handler<S extends AnySynapse> = S["streaming"] extends true
  ? (fields: RequestOf<S>, ctx: CallContext) => AsyncIterable<string | Uint8Array>
  : (fields: RequestOf<S>, ctx: CallContext) => Promise<Partial<ResponseOf<S>>> | Partial<ResponseOf<S>>;

type AnyHandler = (fields: unknown, ctx: CallContext) => unknown;

export interface AxonOptions {
  signer: Signer;
  /** The IP and port published on the metagraph (sent back as bt_header_axon_ip/port). */
  externalIp?: string;
  externalPort?: number;
  /** Largest request body (413 past it, before parsing); default 1 MiB. */
  maxBodyBytes?: number;
  /** Upper bound of a call's timeout, whatever the caller asks; default 60 s. */
  maxTimeoutS?: number;
  /** Refuses a caller (403) with the returned reason; default: none refused. */
  blacklist?: (hotkey: string, synapse: string) => Promise<string | null> | string | null;
  /** Checks a dendrite's signature (default: on this thread; the console passes its verification worker). */
  verifier?: Verifier;
  /** Runs before the handler (upstream orders its queue by it); a throw refuses with 503. */
  priority?: (hotkey: string, synapse: string) => Promise<number> | number;
}

class AxonError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class Axon {
  readonly uuid = randomUUID();
  private readonly synapses = new Map<string, { def: AnySynapse; handler: AnyHandler }>();
  private readonly nonces = new Map<string, bigint>();
  private server: http.Server | null = null;

  constructor(private readonly opts: AxonOptions) {
    this.attach(PingSynapse, () => ({}));
  }

  get hotkey(): string {
    return this.opts.signer.address;
  }

  attach<S extends AnySynapse>(def: S, handler: Handler<S>): this {
    this.synapses.set(def.name, { def, handler: handler as unknown as AnyHandler });
    return this;
  }

  /** Serves on its own HTTP server. */
  async listen(port = 0, host = "127.0.0.1"): Promise<number> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = null;
  }

  /** The request handler, for mounting in another server. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const name = (req.url ?? "/").split("?")[0].split("/")[1] ?? "";
    let dendrite: TerminalInfo = {};
    let declared: { def: AnySynapse; handler: AnyHandler } | undefined;
    try {
      const length = Number(req.headers["content-length"] ?? 0);
      const limit = this.opts.maxBodyBytes ?? 1024 * 1024;
      if (length > limit) throw new AxonError(413, `Request body larger than ${limit} bytes`);
      declared = this.synapses.get(name);
      if (!declared || (req.method !== "POST" && req.method !== "GET"))
        throw new AxonError(
          404,
          `Synapse name '${name.slice(0, 64)}' not found. Available synapses ${JSON.stringify([...this.synapses.keys()])}`,
        );
      let parsed: ReturnType<typeof parseTerminalHeaders>;
      try {
        parsed = parseTerminalHeaders((n) => single(req.headers[n]));
      } catch (e) {
        throw new AxonError(400, `Improperly formatted request: ${(e as Error).message}`);
      }
      dendrite = parsed.dendrite;
      const hotkey = dendrite.hotkey;
      if (!hotkey || hotkey.length > 64)
        throw new AxonError(400, "Improperly formatted request: no bt_header_dendrite_hotkey");
      const reason = await this.opts.blacklist?.(hotkey, name);
      if (reason) throw new AxonError(403, reason);
      const timeoutS = Math.min(parsed.timeout ?? 12, this.opts.maxTimeoutS ?? 60);
      await this.verify(parsed, hotkey, timeoutS);
      try {
        await this.opts.priority?.(hotkey, name);
      } catch (e) {
        throw new AxonError(503, `Priority: ${(e as Error).message}`);
      }
      const fields = await this.readFields(req, declared.def, limit, parsed.bodyHash!);
      await this.run(req, res, declared, fields, { hotkey, dendrite, timeoutS, started });
    } catch (e) {
      const status = e instanceof AxonError ? e.status : 500;
      const message = e instanceof AxonError ? e.message : `Internal Server Error: ${(e as Error).message}`;
      if (res.headersSent) return void res.destroy();
      const def = declared?.def ?? PingSynapse;
      const body = JSON.stringify({ message });
      res.writeHead(status, {
        ...this.answerHeaders(
          def,
          dendrite,
          this.axonInfo(status, message, started, dendrite),
          {},
          Buffer.byteLength(body),
        ),
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        ...(status === 413 ? { connection: "close" } : {}),
      });
      res.end(body);
      if (status === 413) req.resume();
    }
  }

  /** Signature and nonce: bittensor's rules for dendrites from 7.2.0 on. */
  private async verify(p: ReturnType<typeof parseTerminalHeaders>, hotkey: string, timeoutS: number): Promise<void> {
    const d = p.dendrite;
    if (d.nonce === undefined || d.nonce === null) throw new AxonError(401, "Missing Nonce");
    if (!d.uuid || d.uuid.length > 64) throw new AxonError(401, "Missing dendrite uuid");
    if (!d.signature) throw new AxonError(401, "Missing signature");
    if (!p.bodyHash || !/^[0-9a-f]{64}$/.test(p.bodyHash)) throw new AxonError(400, "Missing computed_body_hash");
    const key = `${hotkey}:${d.uuid}`;
    const last = this.nonces.get(key);
    if ((d.version ?? 0) >= V_7_2_0 && last === undefined) {
      const window =
        BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)) -
        ALLOWED_DELTA_NS -
        BigInt(Math.round(timeoutS * 1e9));
      if (d.nonce <= window)
        throw new AxonError(401, `Nonce is too old: acceptable delta is ${(4 + timeoutS).toFixed(2)} seconds`);
    }
    if (last !== undefined && d.nonce <= last)
      throw new AxonError(401, "Nonce is too old, a newer one was last processed");
    const message = requestMessage({ nonce: d.nonce, hotkey, uuid: d.uuid }, this.opts.signer.address, p.bodyHash);
    if (!(await (this.opts.verifier ?? verifyHex)(message, d.signature, hotkey)))
      throw new AxonError(401, "Signature mismatch");
    // Checked again after the await: a concurrent request of the same dendrite may have used a newer nonce.
    const now = this.nonces.get(key);
    if (now !== undefined && d.nonce <= now)
      throw new AxonError(401, "Nonce is too old, a newer one was last processed");
    if (last === undefined && this.nonces.size >= MAX_NONCE_KEYS) this.nonces.delete(this.nonces.keys().next().value!);
    this.nonces.set(key, d.nonce);
  }

  /** Reads the JSON body (after verification), checks the request fields and the body hash. */
  private async readFields(req: http.IncomingMessage, def: AnySynapse, limit: number, headerHash: string) {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new AxonError(413, `Request body larger than ${limit} bytes`);
      parts.push(chunk);
    }
    let json: unknown = {};
    if (size > 0) {
      try {
        json = JSON.parse(Buffer.concat(parts).toString("utf8"));
      } catch {
        throw new AxonError(400, "Improperly formatted request: the body is not JSON");
      }
    }
    const parsed = def.request.safeParse(json);
    if (!parsed.success)
      throw new AxonError(
        400,
        `Improperly formatted request: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      );
    const fields = parsed.data as Record<string, unknown>;
    if (bodyHash(def, fields) !== headerHash)
      throw new AxonError(400, "Hash mismatch between header body hash and parsed body hash");
    return fields;
  }

  private async run(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    { def, handler }: { def: AnySynapse; handler: AnyHandler },
    fields: Record<string, unknown>,
    call: { hotkey: string; dendrite: TerminalInfo; timeoutS: number; started: number },
  ): Promise<void> {
    const abort = new AbortController();
    const deadline = setTimeout(
      () => abort.abort(new AxonError(408, `Timeout after ${call.timeoutS} seconds`)),
      call.timeoutS * 1000,
    );
    const onClose = () => {
      if (!res.writableEnded) abort.abort(new Error("the caller went away"));
    };
    res.on("close", onClose);
    const ctx: CallContext = { hotkey: call.hotkey, signal: abort.signal };
    try {
      if (def.streaming) {
        const stream = handler(fields, ctx) as AsyncIterable<string | Uint8Array>;
        const iterator = stream[Symbol.asyncIterator]();
        // The first chunk decides between an error answer and a 200 stream.
        const first = await withAbort(iterator.next(), abort.signal);
        res.writeHead(200, {
          ...this.answerHeaders(
            def,
            call.dendrite,
            this.axonInfo(200, "Success", call.started, call.dendrite),
            fields,
            0,
          ),
          "content-type": "text/event-stream",
          "cache-control": "no-cache",
          "x-accel-buffering": "no",
        });
        let item = first;
        while (!item.done) {
          if (!res.write(item.value)) await new Promise((r) => res.once("drain", r));
          if (abort.signal.aborted) break;
          item = await withAbort(iterator.next(), abort.signal);
        }
        res.end();
        return;
      }
      const out = await withAbort(Promise.resolve(handler(fields, ctx)), abort.signal);
      const merged = { ...fields, ...((out ?? {}) as Record<string, unknown>) };
      const checked = def.request.merge(def.response.partial()).safeParse(merged);
      if (!checked.success)
        throw new AxonError(500, `The handler's answer does not fit ${def.name}: ${checked.error.issues[0]?.message}`);
      const hash = bodyHash(def, merged);
      const axon = this.axonInfo(200, "Success", call.started, call.dendrite);
      const body = toBody(def, {
        timeout: call.timeoutS,
        dendrite: call.dendrite,
        axon,
        fields: checked.data as Record<string, unknown>,
        bodyHash: hash,
      });
      res.writeHead(200, {
        ...this.answerHeaders(def, call.dendrite, axon, merged, Buffer.byteLength(body)),
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
      });
      res.end(body);
    } catch (e) {
      if (e instanceof AxonError) throw e;
      if (abort.signal.aborted && abort.signal.reason instanceof AxonError) throw abort.signal.reason;
      throw new AxonError(500, `Internal Server Error: ${(e as Error).message}`);
    } finally {
      clearTimeout(deadline);
      res.off("close", onClose);
    }
  }

  private axonInfo(status: number, message: string, started: number, dendrite: TerminalInfo): TerminalInfo {
    const nonce = nextNonce();
    const info: TerminalInfo = {
      status_code: status,
      status_message: message,
      process_time: (performance.now() - started) / 1000,
      ip: this.opts.externalIp ?? "0.0.0.0",
      port: this.opts.externalPort ?? 0,
      version: BT_VERSION,
      nonce,
      uuid: this.uuid,
      hotkey: this.opts.signer.address,
    };
    info.signature = signHex(
      this.opts.signer,
      responseMessage({ nonce, uuid: this.uuid, hotkey: this.opts.signer.address }, dendrite.hotkey ?? ""),
    );
    return info;
  }

  /** The answer's headers: the call's dendrite info and the axon's own, signed once per answer. */
  private answerHeaders(
    def: AnySynapse,
    dendrite: TerminalInfo,
    axon: TerminalInfo,
    fields: Record<string, unknown>,
    bytes: number,
  ): Record<string, string> {
    const headers = toHeaders(
      def,
      { timeout: 12, dendrite: { ...dendrite, signature: undefined }, axon, fields, bodyHash: "" },
      bytes,
    );
    // Header values are Latin-1 on the wire: a message in another script is escaped, not a crash.
    for (const [k, v] of Object.entries(headers)) if (/[^\x20-\x7e]/.test(v)) headers[k] = encodeURI(v);
    return headers;
  }
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function withAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener("abort", onAbort), resolve(v)),
      (e) => (signal.removeEventListener("abort", onAbort), reject(e)),
    );
  });
}

/** The usual miner blacklist: only hotkeys registered with a validator permit may call. */
export function validatorsOnly(isValidator: (hotkey: string) => Promise<boolean> | boolean) {
  return async (hotkey: string) =>
    (await isValidator(hotkey)) ? null : `Hotkey ${hotkey} is not a registered validator`;
}
