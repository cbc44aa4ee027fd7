/**
 * The bittensor wire: synapses, the dendrite (signed calls to miners' axons) and the axon (serving
 * synapses), with wallets. One implementation for every module, the devnet, and operators' own miners; the
 * console's own hotkey and its dendrites (one per purpose).
 */
export { Axon, validatorsOnly, type AxonOptions, type CallContext } from "./axon";
export { Dendrite, type AxonInfo, type CallResult, type DendriteOptions } from "./dendrite";
export { axonOf, closeDendrites, dendrite, requireDendrite, streamDendrite } from "./console";
export { consoleHotkey, DEVNET_VALIDATOR_URI } from "./identity";
export { JsonObjectScanner } from "./json-stream";
export { pyJsonDumps } from "./python";
export { loadWalletHotkey, nextNonce, signerFromUri, verifyHex, WalletError } from "./keys";
export type { Signer } from "../crypto/hotkey";
export {
  bodyHash,
  BT_VERSION,
  defineSynapse,
  PingSynapse,
  requestMessage,
  responseMessage,
  toBody,
  toHeaders,
  type RequestOf,
  type ResponseOf,
  type AnySynapse,
  type SynapseDef,
  type TerminalInfo,
} from "./synapse";
