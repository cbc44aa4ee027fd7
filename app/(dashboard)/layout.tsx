import { Shell } from "@/components/shell/shell";
import { requireViewer } from "@/server/auth/session";
import { config } from "@/server/env";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await requireViewer();
  return (
    <Shell user={user} roles={config().ROLES}>
      {children}
    </Shell>
  );
}
