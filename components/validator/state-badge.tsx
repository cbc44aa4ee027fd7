import { Badge } from "@/components/ui";

export function StateBadge({ state }: { state: string }) {
  const tone = state === "scored" ? "green" : state === "rejected" ? "red" : "blue";
  return <Badge tone={tone}>{state}</Badge>;
}
