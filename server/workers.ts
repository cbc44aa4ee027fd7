/**
 * CPU-heavy work off the event loop: a worker thread answering calls in order, one message per call.
 * A worker file is a TypeScript module loaded through a small .cjs entry that registers tsx, as the
 * server itself is run.
 */
import { parentPort, Worker } from "node:worker_threads";

type Reply<R> = { id: number; result?: R; error?: string };

export class WorkerClient<Q, R> {
  private worker: Worker | null = null;
  private next = 0;
  private pending = new Map<number, { resolve: (r: R) => void; reject: (e: Error) => void }>();

  /** `entry`: the absolute path of the worker's .cjs entry. */
  constructor(private readonly entry: string) {}

  private start(): Worker {
    const w = new Worker(this.entry);
    w.on("message", (m: Reply<R>) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error === undefined) p?.resolve(m.result as R);
      else p?.reject(new Error(m.error));
    });
    w.on("error", (e) => this.failAll(e));
    w.on("exit", () => {
      this.worker = null;
      this.failAll(new Error("the worker stopped"));
    });
    w.unref();
    return w;
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  call(request: Q, transfer: ArrayBuffer[] = []): Promise<R> {
    this.worker ??= this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, request }, transfer);
    });
  }

  async stop(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    await w?.terminate();
  }
}

/** The worker side: answers each call with `handle`'s result (and the buffers it names, transferred). */
export function serveCalls<Q, R>(
  handle: (request: Q) => R | Promise<R>,
  transferOf: (result: R) => ArrayBuffer[] = () => [],
): void {
  parentPort!.on("message", async (msg: { id: number; request: Q }) => {
    try {
      const result = await handle(msg.request);
      parentPort!.postMessage({ id: msg.id, result }, transferOf(result));
    } catch (e) {
      parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
    }
  });
}
