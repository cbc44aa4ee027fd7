/**
 * SN27's synapses as its miners serve them (neuralinternet compute protocol): every field has a default,
 * so there are no required fields and the body hash covers nothing.
 */
import { z } from "zod";
import { defineSynapse } from "../bittensor";

/** Hardware report: `specs_output` is a JSON string of the spec layout (see `specs.ts`). */
export const SpecsSynapse = defineSynapse({
  name: "Specs",
  request: { specs_input: z.string().max(1024).default("") },
  response: { specs_output: z.string().max(256 * 1024) },
});

/** Check, allocate, release and manage a rental (the miner answers in `output`). */
export const AllocateSynapse = defineSynapse({
  name: "Allocate",
  request: {
    timeline: z.number().int().default(0),
    device_requirement: z.record(z.string(), z.unknown()).default({}),
    checking: z.boolean().default(true),
    public_key: z.string().max(4096).default(""),
    docker_requirement: z
      .object({
        base_image: z.string().default("ubuntu"),
        ssh_key: z.string().default(""),
        ssh_port: z.number().int().default(4444),
        volume_path: z.string().default("/tmp"),
        dockerfile: z.string().default(""),
      })
      .default({ base_image: "ubuntu", ssh_key: "", ssh_port: 4444, volume_path: "/tmp", dockerfile: "" }),
    docker_change: z.boolean().default(false),
    docker_action: z
      .object({ action: z.string().default(""), ssh_key: z.string().default(""), key_type: z.string().default("") })
      .default({ action: "", ssh_key: "", key_type: "" }),
  },
  response: { output: z.record(z.string(), z.unknown()) },
});

/** Upstream's timeouts (seconds): asking whether a miner is free, allocating, releasing, docker actions. */
export const ALLOCATE_TIMEOUTS = { check: 15, allocate: 60, deallocate: 15, action: 60 } as const;
