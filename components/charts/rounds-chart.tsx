"use client";
import type { ReactNode } from "react";
import { CartesianGrid, Label, Legend, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** A line chart over rounds: titled axes, a 4-decimal tooltip and a legend; the lines are the children. */
export function RoundsChart({
  data,
  yLabel,
  className = "h-72",
  children,
}: {
  data: Array<{ round: number }>;
  yLabel: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={`${className} w-full`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 16 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis
            dataKey="round"
            type="number"
            domain={["dataMin", "dataMax"]}
            allowDecimals={false}
            tick={{ fontSize: 11 }}
          >
            <Label value="Round" position="insideBottom" offset={-10} fontSize={11} />
          </XAxis>
          <YAxis tick={{ fontSize: 11 }} width={64} domain={["auto", "auto"]}>
            <Label value={yLabel} angle={-90} position="insideLeft" fontSize={11} />
          </YAxis>
          <Tooltip formatter={(v) => Number(v).toFixed(4)} labelFormatter={(r) => `round ${r}`} />
          <Legend wrapperStyle={{ fontSize: 11, paddingTop: 12 }} />
          {children}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
