import { redirect } from "next/navigation";
import { Shell } from "@/components/shell/shell";
import { currentUser } from "@/server/auth/session";
import { config } from "@/server/env";

export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  if (!user && !config().PUBLIC_DASHBOARD) redirect("/signin");
  return (
    <Shell user={user} roles={config().ROLES}>
      {children}
    </Shell>
  );
}
