/**
 * The dendrite: signed calls from this console's hotkey to miners' axons, as bittensor's Python dendrite
 * makes them (same body, headers, nonce and signature), over one keep-alive pool with a bound on sockets
 * per axon. Failures are results (status and message, like upstream's), never exceptions out of forward.
 */
import http from "node:http";
import { randomUUID } from "node:crypto";
import { signHex, type Signer } from "../crypto/hotkey";
import { mapPool } from "../pool";
import { nextNonce, verifyHex, type Verifier } from "./keys";
import {
  BT_VERSION,
  bodyHash,
  parseTerminalHeaders,
  requestMessage,
  responseMessage,
  toBody,
  toHeaders,
  type RequestOf,
  type ResponseOf,
  type AnySynapse,
  type TerminalInfo,
} from "./synapse";

/** Where a miner serves: from the metagraph. */
export interface AxonInfo {
  ip: string;
  port: number;
  hotkey: string;
}

export interface CallResult<S extends AnySynapse> {
  axon: AxonInfo;
  /** The axon's status, or the dendrite's for transport failures (408 timeout, 503 refused, 422 bad answer). */
  status: number;
  message: string;
  /** The synapse's fields as the miner answered them (null unless status 200 and valid). */
  response: (RequestOf<S> & Partial<ResponseOf<S>>) | null;
  /** Seconds the axon says it spent (bt_header_axon_process_time). */
  processTime: number | null;
  /** Milliseconds from sending to the end of the answer, measured here. */
  latencyMs: number;
  /** The axon's signature over its answer: true, false, or null when it sent none. */
  signatureValid: boolean | null;
  /** The axon's terminal info from its headers. */
  axonInfo: TerminalInfo;
}

export interface DendriteOptions {
  signer: Signer;
  /** This console's public IP (sent as bt_header_dendrite_ip; an axon at this IP is called at 0.0.0.0). */
  externalIp?: string;
  /** Keep-alive sockets per axon (host:port). */
  maxSocketsPerAxon?: number;
  /** Largest answer accepted from a miner. */
  maxResponseBytes?: number;
  /** Checks axons' answer signatures (default: on this thread; the console passes its verification worker). */
  verifier?: Verifier;
  /** Told when an axon's answer signature does not verify (the call's result says so too). */
  onBadSignature?: (axon: AxonInfo) => void;
  /** This dendrite's uuid (a fresh one by default; fixed only for conformance tests). */
  uuid?: string;
}

const DEFAULT_MAX_RESPONSE = 16 * 1024 * 1024;

export class Dendrite {
  readonly uuid: string;
  private readonly agent: http.Agent;
  private readonly maxResponse: number;

  constructor(private readonly opts: DendriteOptions) {
    this.uuid = opts.uuid ?? randomUUID();
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: opts.maxSocketsPerAxon ?? 4,
      maxFreeSockets: opts.maxSocketsPerAxon ?? 4,
      timeout: 60_000,
    });
    this.maxResponse = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE;
  }

  get hotkey(): string {
    return this.opts.signer.address;
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * Lanes: an axon accepts a (hotkey, uuid) pair's nonces only in increasing order, and concurrent calls over
   * several sockets can arrive out of order. Each call in flight to an axon uses its own uuid (a lane), freed
   * when the call ends; sequential calls all use `uuid`. Lanes per axon never exceed the calls in flight.
   */
  private readonly freeLanes = new Map<string, string[]>();

  private takeLane(axon: AxonInfo): { uuid: string; release: () => void } {
    const key = `${axon.ip}:${axon.port}:${axon.hotkey}`;
    const free = this.freeLanes.get(key) ?? this.freeLanes.set(key, [this.uuid]).get(key)!;
    const uuid = free.pop() ?? randomUUID();
    let released = false;
    return {
      uuid,
      release: () => {
        if (released) return;
        released = true;
        free.push(uuid);
      },
    };
  }

  /** Builds the signed request exactly as the Python dendrite does (exposed for tests and tools). */
  prepare<S extends AnySynapse>(
    axon: AxonInfo,
    def: S,
    fields: RequestOf<S>,
    timeoutS: number,
    nonce = nextNonce(),
    uuid = this.uuid,
  ) {
    const hash = bodyHash(def, fields as Record<string, unknown>);
    const message = requestMessage({ nonce, hotkey: this.opts.signer.address, uuid }, axon.hotkey, hash);
    return this.build(axon, def, fields, timeoutS, { nonce, uuid, hash }, signHex(this.opts.signer, message));
  }

  private build<S extends AnySynapse>(
    axon: AxonInfo,
    def: S,
    fields: RequestOf<S>,
    timeoutS: number,
    t: { nonce: bigint; uuid: string; hash: string },
    signature: string,
  ) {
    const dendrite: TerminalInfo = {
      ip: this.opts.externalIp ?? "0.0.0.0",
      version: BT_VERSION,
      nonce: t.nonce,
      uuid: t.uuid,
      hotkey: this.opts.signer.address,
      signature,
    };
    const synapse = {
      timeout: timeoutS,
      dendrite,
      axon: { ip: axon.ip, port: axon.port, hotkey: axon.hotkey },
      fields: fields as Record<string, unknown>,
      bodyHash: t.hash,
    };
    const body = toBody(def, synapse);
    const headers = toHeaders(def, synapse, Buffer.byteLength(body));
    const host = axon.ip === this.opts.externalIp ? "0.0.0.0" : axon.ip;
    return {
      url: `http://${host.includes(":") ? `[${host}]` : host}:${axon.port}/${def.name}`,
      headers,
      body,
      nonce: t.nonce,
    };
  }

  /** One call; the answer is read whole (up to maxResponseBytes) and parsed with the synapse's schema. */
  async call<S extends AnySynapse>(
    axon: AxonInfo,
    def: S,
    fields: RequestOf<S>,
    opts: { timeout?: number } = {},
  ): Promise<CallResult<S>> {
    const timeoutS = opts.timeout ?? 12;
    const started = performance.now();
    const result = resultFor<S>(axon, started);
    let prepared;
    const lane = this.takeLane(axon);
    try {
      prepared = this.prepare(axon, def, fields, timeoutS, nextNonce(), lane.uuid);
    } catch (e) {
      lane.release();
      return result(400, `Payload error: ${(e as Error).message}`);
    }
    const answer = await this.send(prepared, timeoutS, false).finally(lane.release);
    if ("error" in answer) return result(answer.error[0], answer.error[1]);
    const { res, body } = answer;
    // The round trip ends with the answer's last byte, before this side checks its signature.
    const latencyMs = performance.now() - started;
    // The answer's signature is checked (in the verifier's worker, for the console) while the body is parsed here.
    const infoP = this.answerInfo(res, axon);
    let json: Record<string, unknown> | null = null;
    try {
      json = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      if (typeof json !== "object" || json === null || Array.isArray(json)) json = null;
    } catch {
      json = null;
    }
    const info = { ...(await infoP), latencyMs };
    if (json === null) return result(422, "Failed to parse response: the miner's answer is not a JSON object", info);
    if (res.statusCode !== 200) {
      const message = typeof json.message === "string" ? json.message.slice(0, 1000) : `HTTP ${res.statusCode}`;
      return result(res.statusCode ?? 500, message, info);
    }
    const parsed = def.request.merge(def.response.partial()).safeParse(json);
    if (!parsed.success)
      return result(422, `Failed to parse response: ${parsed.error.issues[0]?.message ?? "invalid synapse"}`, info);
    return result(200, info.axonInfo.status_message ?? "Success", {
      ...info,
      response: parsed.data as CallResult<S>["response"],
    });
  }

  /**
   * A streaming call: the chunks as the miner writes them (async iteration), then `result` with the status
   * and the axon's headers. One deadline covers the whole stream; breaking out of the loop cancels the call.
   */
  callStream<S extends AnySynapse>(
    axon: AxonInfo,
    def: S,
    fields: RequestOf<S>,
    opts: { timeout?: number; signal?: AbortSignal } = {},
  ): AsyncIterable<Buffer> & { result: Promise<CallResult<S>> } {
    const timeoutS = opts.timeout ?? 12;
    const started = performance.now();
    let settle!: (r: CallResult<S>) => void;
    const result = new Promise<CallResult<S>>((r) => (settle = r));
    const base = resultFor<S>(axon, started);
    const self = this;
    async function* chunks(): AsyncGenerator<Buffer> {
      let prepared;
      const lane = self.takeLane(axon);
      try {
        prepared = self.prepare(axon, def, fields, timeoutS, nextNonce(), lane.uuid);
      } catch (e) {
        lane.release();
        settle(base(400, `Payload error: ${(e as Error).message}`));
        return;
      }
      try {
        yield* self.streamAnswer(prepared, timeoutS, opts.signal, base, settle, axon);
      } finally {
        lane.release();
      }
    }
    const iterable = chunks();
    return Object.assign(iterable, { result });
  }

  /** The rest of a streaming call: the answer's chunks as they come, then the result. */
  private async *streamAnswer<S extends AnySynapse>(
    prepared: { url: string; headers: Record<string, string>; body: string },
    timeoutS: number,
    signal: AbortSignal | undefined,
    base: ReturnType<typeof resultFor<S>>,
    settle: (r: CallResult<S>) => void,
    axon: AxonInfo,
  ): AsyncGenerator<Buffer> {
    if (signal?.aborted) return void settle(base(499, "Cancelled by the caller"));
    const answer = await this.send(prepared, timeoutS, true, false, signal);
    if ("error" in answer) return void settle(base(answer.error[0], answer.error[1]));
    const { res, deadline, req } = answer;
    // Cancelling stops the call at once, even while waiting for the miner's next chunk.
    const cancel = () => req.destroy();
    signal?.addEventListener("abort", cancel, { once: true });
    if (signal?.aborted) cancel();
    // The axon's signature over its answer is checked while the chunks flow: the first byte does not wait for it.
    const infoP = this.answerInfo(res, axon);
    type Info = Awaited<typeof infoP>;
    const finish = (status: number, message: string | ((info: Info) => string)) =>
      void infoP.then((info) => settle(base(status, typeof message === "string" ? message : message(info), info)));
    if (res.statusCode !== 200) {
      let text = "";
      for await (const c of res) if (text.length < 4096) text += String(c);
      clearTimeout(deadline);
      let message = `HTTP ${res.statusCode}`;
      try {
        const m = (JSON.parse(text) as { message?: unknown }).message;
        if (typeof m === "string") message = m.slice(0, 1000);
      } catch {
        // not JSON
      }
      return finish(res.statusCode ?? 500, message);
    }
    let received = 0;
    let finished = false;
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        received += chunk.length;
        if (received > this.maxResponse) {
          req.destroy();
          return finish(422, `Failed to parse response: stream larger than ${this.maxResponse} bytes`);
        }
        yield chunk;
      }
      finished = true;
      finish(200, (info) => info.axonInfo.status_message ?? "Success");
    } catch (e) {
      const timedOut = (req as { timedOutByDeadline?: boolean }).timedOutByDeadline;
      if (signal?.aborted) finish(499, "Cancelled by the caller");
      else if (timedOut) finish(408, `Timeout after ${timeoutS} seconds`);
      else finish(400, `Payload error: the stream broke (${(e as Error).message})`);
    } finally {
      clearTimeout(deadline);
      signal?.removeEventListener("abort", cancel);
      if (!finished) {
        req.destroy();
        finish(499, "Cancelled by the caller"); // no-op if already settled
      }
    }
  }

  /**
   * Calls many axons with one synapse; one result per axon, in order, at most `concurrency` at once.
   * `fields` may differ per axon (a function of the axon and its index).
   */
  async forward<S extends AnySynapse>(
    axons: AxonInfo[],
    def: S,
    fields: RequestOf<S> | ((axon: AxonInfo, index: number) => RequestOf<S>),
    opts: { timeout?: number; concurrency?: number } = {},
  ): Promise<CallResult<S>[]> {
    return mapPool(axons, opts.concurrency ?? 64, async (axon, i) => {
      // Each call signs (~1 ms of WASM): one per macrotask, so a wide forward never blocks the event loop
      // for long (signals, requests and timers run in between).
      await new Promise((r) => setImmediate(r));
      return this.call(axon, def, typeof fields === "function" ? fields(axon, i) : fields, opts);
    });
  }

  private async answerInfo(res: http.IncomingMessage, axon: AxonInfo) {
    let parsed: ReturnType<typeof parseTerminalHeaders>;
    try {
      parsed = parseTerminalHeaders((n) => headerOf(res, n));
    } catch {
      return { axonInfo: {}, processTime: null, signatureValid: false };
    }
    const a = parsed.axon;
    let signatureValid: boolean | null = null;
    if (a.signature && a.nonce !== undefined && a.nonce !== null && a.uuid) {
      signatureValid = await (this.opts.verifier ?? verifyHex)(
        responseMessage({ nonce: a.nonce, uuid: a.uuid, hotkey: axon.hotkey }, this.opts.signer.address),
        a.signature,
        axon.hotkey,
      );
      if (!signatureValid) this.opts.onBadSignature?.(axon);
    }
    return { axonInfo: a, processTime: a.process_time ?? null, signatureValid };
  }

  /** Sends a prepared request; resolves with the answer (whole, or its head when streaming) or an error pair. */
  private send(
    prepared: { url: string; headers: Record<string, string>; body: string },
    timeoutS: number,
    streaming: boolean,
    retried = false,
    signal?: AbortSignal,
  ): Promise<
    | { error: [number, string] }
    | { res: http.IncomingMessage; body: Buffer; deadline: NodeJS.Timeout; req: http.ClientRequest }
  > {
    return new Promise((resolve) => {
      let done = false;
      const finish = (v: Parameters<typeof resolve>[0]) => {
        if (done) return;
        done = true;
        if ("error" in v) clearTimeout(deadline);
        resolve(v);
      };
      const req = http.request(prepared.url, {
        method: "POST",
        agent: this.agent,
        headers: {
          ...prepared.headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(prepared.body),
        },
      });
      const deadline = setTimeout(() => {
        (req as { timedOutByDeadline?: boolean }).timedOutByDeadline = true;
        finish({ error: [408, `Timeout after ${timeoutS} seconds`] });
        req.destroy(new Error("deadline"));
      }, timeoutS * 1000);
      req.on("error", (e: NodeJS.ErrnoException) => {
        if (done) return;
        // A kept-alive socket the axon closed while idle (its keep-alive timeout) fails as the request goes out:
        // the axon never saw it, so it is sent once more on a fresh connection (the signed nonce is unused).
        if (!retried && req.reusedSocket && (e.code === "ECONNRESET" || e.code === "EPIPE")) {
          done = true;
          clearTimeout(deadline);
          return resolve(this.send(prepared, timeoutS, streaming, true, signal));
        }
        const refused = ["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EADDRNOTAVAIL"].includes(
          e.code ?? "",
        );
        finish({
          error: refused
            ? [503, `Service unavailable at ${prepared.url}`]
            : e.code === "ECONNRESET" || e.code === "EPIPE"
              ? [503, "Service disconnected"]
              : [500, `Client error: ${e.message}`],
        });
      });
      req.on("response", (res) => {
        if (streaming) return finish({ res, body: Buffer.alloc(0), deadline, req });
        const parts: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > this.maxResponse) {
            finish({ error: [422, `Failed to parse response: larger than ${this.maxResponse} bytes`] });
            req.destroy();
            return;
          }
          parts.push(c);
        });
        res.on("end", () => {
          clearTimeout(deadline);
          finish({ res, body: Buffer.concat(parts), deadline, req });
        });
        res.on("error", () => finish({ error: [503, "Service disconnected"] }));
      });
      if (signal) {
        const abort = () => {
          finish({ error: [499, "Cancelled by the caller"] });
          req.destroy();
        };
        if (signal.aborted) return abort();
        signal.addEventListener("abort", abort, { once: true });
        req.once("close", () => signal.removeEventListener("abort", abort));
      }
      req.end(prepared.body);
    });
  }
}

/** A call's result: the status and message, with whatever else is known; latency measured from `started`. */
function resultFor<S extends AnySynapse>(axon: AxonInfo, started: number) {
  return (status: number, message: string, extra: Partial<CallResult<S>> = {}): CallResult<S> => ({
    axon,
    status,
    message,
    response: null,
    processTime: null,
    latencyMs: performance.now() - started,
    signatureValid: null,
    axonInfo: {},
    ...extra,
  });
}

function headerOf(res: http.IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
