/**
 * The compute marketplace's request shapes (SN27's DeviceRequirement and DockerRequirement, upstream's
 * names, defaults and units). Imports only zod, so the dashboard's Allocate form validates with the same
 * schemas as /service/allocate_spec.
 */
import { z } from "zod";

export const deviceRequirementSchema = z
  .object({
    cpu_count: z.number().int().min(1).max(4096).default(1).describe("CPUs at least"),
    gpu_type: z
      .string()
      .trim()
      .toLowerCase()
      .max(64)
      .regex(/^[a-z0-9 ._-]*$/, "letters, digits, spaces, '.', '_' or '-'")
      .default("gpu")
      .describe('Part of the GPU name, any case ("h100", "4090"); "" asks for no GPU'),
    gpu_size: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .default(3)
      .describe("GPU memory summed over the GPUs, more than this many GB (0: no GPU asked)"),
    ram: z.number().int().min(0).max(1_000_000).default(1).describe("GiB of available RAM at least"),
    hard_disk: z.number().int().min(0).max(10_000_000).default(1).describe("GiB of free disk at least"),
    timeline: z.number().int().min(1).max(3650).default(90).describe("Rent for this many days"),
  })
  .meta({ id: "DeviceRequirement" });
export type DeviceRequirement = z.output<typeof deviceRequirementSchema>;

/** One OpenSSH public key line: type, base64 key, optional comment; nothing that a shell or Dockerfile would read. */
export const sshPublicKeySchema = z
  .string()
  .trim()
  .max(8192)
  .regex(
    /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) [A-Za-z0-9+/]{32,}={0,3}( [\w.@+-]{1,128})?$/,
    "must be one OpenSSH public key line (e.g. ssh-ed25519 AAAA... you@host)",
  );

export const dockerRequirementSchema = z
  .object({
    base_image: z
      .string()
      .max(256)
      .regex(
        /^[a-z0-9]+([._/:@-][A-Za-z0-9]+)*$/,
        "must be an image reference such as ubuntu or pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime",
      )
      .default("ubuntu"),
    ssh_key: z.union([z.literal(""), sshPublicKeySchema]).default(""),
    volume_path: z
      .string()
      .max(256)
      .regex(/^\/[A-Za-z0-9._/-]*$/, "must be an absolute path of letters, digits, '.', '_', '-' and '/'")
      .default("/tmp"),
    dockerfile: z
      .string()
      .max(16 * 1024)
      .refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s), "control characters are not allowed")
      .default(""),
  })
  .meta({ id: "DockerRequirement" });
export type DockerRequirement = z.output<typeof dockerRequirementSchema>;

export const ALLOCATION_STATES = ["pending", "active", "paused", "releasing", "released", "failed"] as const;
export type AllocationState = (typeof ALLOCATION_STATES)[number];
/** States in which a miner is held by an allocation. */
export const HELD_STATES: AllocationState[] = ["pending", "active", "paused", "releasing"];
