import { Shell } from "@/components/shell/shell";
import { requireViewer } from "@/server/page-session";
import { runtime } from "@/server/runtime";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requireViewer();
  return (
    <Shell user={user} items={runtime().navigation}>
      {children}
    </Shell>
  );
}
