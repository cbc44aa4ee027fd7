"use client";
import { Area, AreaChart, CartesianGrid, Label, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

/** GPUs on offer over time, stacked: available and reserved (rented). */
export function GpuAvailabilityChart({ data }: { data: Array<{ at: number; available: number; reserved: number }> }) {
  return (
    <div className="h-64 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={data} margin={{ top: 8, right: 8, left: 8, bottom: 16 }}>
          <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
          <XAxis
            dataKey="at"
            type="number"
            scale="time"
            domain={["dataMin", "dataMax"]}
            tickFormatter={time}
            tick={{ fontSize: 11 }}
          >
            <Label value="Time" position="insideBottom" offset={-10} fontSize={11} />
          </XAxis>
          <YAxis tick={{ fontSize: 11 }} width={48} allowDecimals={false}>
            <Label value="GPUs" angle={-90} position="insideLeft" fontSize={11} />
          </YAxis>
          <Tooltip labelFormatter={(v) => new Date(Number(v)).toLocaleString()} />
          <Legend wrapperStyle={{ fontSize: 11, paddingTop: 12 }} />
          <Area
            type="stepAfter"
            dataKey="available"
            name="available"
            stackId="gpus"
            stroke="#047857"
            fill="#10b981"
            fillOpacity={0.35}
            isAnimationActive={false}
          />
          <Area
            type="stepAfter"
            dataKey="reserved"
            name="reserved"
            stackId="gpus"
            stroke="#b45309"
            fill="#f59e0b"
            fillOpacity={0.45}
            isAnimationActive={false}
          />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
