import { findNeuron } from "../chain";
import type { NeuronRecord } from "../chain/types";
import { assignedGroup } from "./assignments";
import { config, netuidOf } from "../env";
import { ForbiddenError, NotFoundError, UnavailableError } from "../errors";
import { currentVersion, type Artifact, type LoadedVersion, type Selector } from "../models";
import { validatorConfig } from "./config";

/** The artifact a download names, with the checks of seed 001: 503 no model, 404 unknown group. */
export function artifactFor(selector: Selector): { version: LoadedVersion; artifact: Artifact } {
  const version = currentVersion();
  if (!version) throw new UnavailableError("Model has not finished loading");
  const key = typeof selector === "string" ? selector : `group:${selector.group}`;
  const artifact = version.artifacts.get(key);
  if (!artifact)
    throw new NotFoundError(`Expert group ${typeof selector === "string" ? selector : selector.group} does not exist`);
  return { version, artifact };
}

/**
 * A miner may download or submit a group when registered on the subnet and, if an admin assigned it a
 * group, only for that one. Returns its neuron.
 */
export async function checkMinerForGroup(hotkey: string, group: number): Promise<NeuronRecord> {
  const neuron = await findNeuron(hotkey, netuidOf("validator"));
  if (!neuron) throw new ForbiddenError("Hotkey is not registered on the subnet");
  const assigned = await assignedGroup(hotkey);
  if (assigned !== null && assigned !== group)
    throw new ForbiddenError(`Hotkey is assigned to expert group ${assigned}`);
  return neuron;
}

/** Peer validators: a validator permit on the metagraph, or listed in VALIDATOR_HOTKEYS. */
export async function checkValidator(hotkey: string): Promise<void> {
  if (validatorConfig().VALIDATOR_HOTKEYS.includes(hotkey)) return;
  const neuron = await findNeuron(hotkey, netuidOf("validator"));
  if (!neuron?.validatorPermit) throw new ForbiddenError("Requester hotkey is not registered as a validator");
}
