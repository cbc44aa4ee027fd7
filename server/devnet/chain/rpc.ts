import type { WebSocket } from "ws";
import type { ChainRuntime } from "./runtime";

/** What the JSON-RPC layer asks of the node. */
export interface RpcNode {
  readonly runtime: ChainRuntime;
  readonly genesisHash: string;
  readonly calls: string[];
  readonly headSubs: Map<string, WebSocket>;
  readonly block: number;
  header(n?: number): unknown;
  hashOf(n: number): string;
  numberOf(hash: unknown): number;
  blockBody(hash: unknown): unknown;
  nextSubscription(): string;
  storage(key: string, at?: string): string | null;
  keysPaged(prefix: string, count: number, startKey?: string): string[];
  subscribeStorage(ws: WebSocket, id: string, keys: string[]): void;
  unsubscribeStorage(id: string): void;
  nextIndex(address: string): number;
  submit(hex: string, watcher?: (update: unknown) => void): string;
  neuronsLite(params: string): string;
  setHead(block: number): void;
}

/** A JSON-RPC error as substrate nodes answer them (1010: invalid transaction, with the reason in `data`). */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: string,
  ) {
    super(message);
  }
}

export function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}

export function notify(ws: WebSocket, method: string, subscription: string, result: unknown): void {
  send(ws, { jsonrpc: "2.0", method, params: { subscription, result } });
}

/** The methods the node answers (`rpc_methods`). */
export const RPC_METHODS = [
  "chain_getBlockHash",
  "chain_getHeader",
  "chain_getBlock",
  "chain_getFinalizedHead",
  "chain_subscribeNewHead",
  "chain_unsubscribeNewHead",
  "chain_subscribeNewHeads",
  "chain_unsubscribeNewHeads",
  "chain_subscribeFinalizedHeads",
  "chain_unsubscribeFinalizedHeads",
  "state_getRuntimeVersion",
  "state_getMetadata",
  "state_call",
  "state_subscribeRuntimeVersion",
  "state_unsubscribeRuntimeVersion",
  "system_chain",
  "system_name",
  "system_version",
  "system_properties",
  "system_health",
  "rpc_methods",
  "system_accountNextIndex",
  "author_submitExtrinsic",
  "author_submitAndWatchExtrinsic",
  "author_unwatchExtrinsic",
  "state_getStorage",
  "state_getKeysPaged",
  "state_queryStorageAt",
  "state_subscribeStorage",
  "state_unsubscribeStorage",
  "devnet_setHead",
];

type Message = { id: number | string; method: string; params?: unknown[] };

/** One JSON-RPC request of a client: answered on its socket (subscriptions notify later). */
export function handleRpc(node: RpcNode, ws: WebSocket, text: string): void {
  let msg: Message;
  try {
    msg = JSON.parse(text) as Message;
    if (typeof msg !== "object" || msg === null || typeof msg.method !== "string") throw new Error("not a request");
  } catch {
    return send(ws, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
  }
  node.calls.push(msg.method);
  if (node.calls.length > 1000) node.calls.shift();
  const reply = (result: unknown) => send(ws, { jsonrpc: "2.0", id: msg.id, result });
  const notifyHere = (method: string, subscription: string, result: unknown) =>
    notify(ws, method, subscription, result);
  try {
    answer(node, ws, msg.method, Array.isArray(msg.params) ? msg.params : [], reply, notifyHere);
  } catch (e) {
    const err =
      e instanceof RpcError
        ? { code: e.code, message: e.message, ...(e.data ? { data: e.data } : {}) }
        : { code: -32602, message: `Invalid params: ${(e as Error).message}` };
    send(ws, { jsonrpc: "2.0", id: msg.id, error: err });
  }
}

function answer(
  node: RpcNode,
  ws: WebSocket,
  method: string,
  p: unknown[],
  reply: (result: unknown) => void,
  notify: (method: string, subscription: string, result: unknown) => void,
): void {
  const rt = node.runtime;
  switch (method) {
    case "chain_getBlockHash":
      return reply(p[0] === 0 ? node.genesisHash : node.hashOf(typeof p[0] === "number" ? p[0] : node.block));
    case "chain_getHeader":
      return reply(node.header(node.numberOf(p[0])));
    case "chain_getBlock":
      return reply({ block: node.blockBody(p[0]), justifications: null });
    case "chain_getFinalizedHead":
      return reply(node.hashOf(node.block));
    case "state_getRuntimeVersion":
      return reply(rt.version());
    case "system_chain":
      return reply("Subnet Console devnet");
    case "system_name":
      return reply("node-subtensor");
    case "system_version":
      return reply("subnet-console-devnet");
    case "system_properties":
      return reply({ ss58Format: 42, tokenDecimals: 9, tokenSymbol: "TAO" });
    case "system_health":
      return reply({ peers: 0, isSyncing: false, shouldHavePeers: false });
    case "rpc_methods":
      return reply({ methods: RPC_METHODS });
    case "state_getMetadata":
      return reply(rt.spec.metadataHex);
    case "state_subscribeRuntimeVersion": {
      const id = node.nextSubscription();
      reply(id);
      return notify("state_runtimeVersion", id, rt.version());
    }
    case "chain_subscribeNewHead":
    case "chain_subscribeNewHeads":
    case "chain_subscribeFinalizedHeads": {
      const id = node.nextSubscription();
      node.headSubs.set(id, ws);
      reply(id);
      return notify("chain_newHead", id, node.header());
    }
    case "chain_unsubscribeNewHead":
    case "chain_unsubscribeNewHeads":
    case "chain_unsubscribeFinalizedHeads":
      node.headSubs.delete(String(p[0]));
      return reply(true);
    case "state_unsubscribeStorage":
      node.unsubscribeStorage(String(p[0]));
      return reply(true);
    case "state_unsubscribeRuntimeVersion":
    case "author_unwatchExtrinsic":
      return reply(true);
    case "state_getStorage":
      return reply(node.storage(String(p[0] ?? ""), p[1] as string | undefined));
    case "state_getKeysPaged":
      return reply(node.keysPaged(String(p[0] ?? "0x"), Number(p[1] ?? 1000), p[2] ? String(p[2]) : undefined));
    case "state_subscribeStorage": {
      const id = node.nextSubscription();
      reply(id);
      return node.subscribeStorage(ws, id, (Array.isArray(p[0]) ? p[0] : []).map(String).slice(0, 1000));
    }
    case "state_queryStorageAt": {
      const keys = (Array.isArray(p[0]) ? p[0] : []) as string[];
      const at = p[1] as string | undefined;
      return reply([
        { block: at ?? node.hashOf(node.block), changes: keys.map((k) => [k, node.storage(String(k), at)]) },
      ]);
    }
    case "system_accountNextIndex":
      return reply(node.nextIndex(String(p[0])));
    case "author_submitAndWatchExtrinsic": {
      const id = node.nextSubscription();
      const hex = String(p[0]);
      let answered = false;
      node.submit(hex, (update) => {
        if (!answered) {
          answered = true;
          reply(id);
        }
        notify("author_extrinsicUpdate", id, update);
      });
      return;
    }
    case "author_submitExtrinsic":
      return reply(node.submit(String(p[0])));
    case "state_call": {
      const [call, params] = p as [string, string];
      if (call === "NeuronInfoRuntimeApi_get_neurons_lite") return reply(node.neuronsLite(params));
      if (call === "Metadata_metadata_versions") return reply(rt.metadataVersions());
      if (call === "Metadata_metadata_at_version") return reply(rt.metadataAtVersion(params));
      throw new RpcError(-32000, `unknown runtime call ${call}`);
    }
    case "devnet_setHead": {
      const block = Number(p[0]);
      if (!Number.isInteger(block) || block < 0) throw new RpcError(-32602, "Invalid params: a block number");
      node.setHead(block);
      return reply(node.block);
    }
    default:
      throw new RpcError(-32601, `Method not found: ${method}`);
  }
}
