import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/trpc/root";

type Outputs = inferRouterOutputs<AppRouter>["compute"];
export type Allocations = Outputs["allocations"];
export type Allocation = Allocations["live"][number];
export type Inventory = Outputs["inventory"];
export type Credentials = Outputs["allocate"];

/** The badge colour of each allocation state. */
export const stateTone = {
  active: "green",
  paused: "amber",
  releasing: "amber",
  pending: "gray",
  released: "gray",
  failed: "red",
} as const;
