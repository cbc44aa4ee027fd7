const palette = [
  "#6366f1",
  "#0ea5e9",
  "#14b8a6",
  "#22c55e",
  "#eab308",
  "#f97316",
  "#ef4444",
  "#d946ef",
  "#8b5cf6",
  "#64748b",
];

export function phaseColor(index: number): string {
  return palette[index % palette.length];
}
