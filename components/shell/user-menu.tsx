"use client";
import Link from "next/link";
import { signOut } from "next-auth/react";
import { Badge } from "@/components/ui";

export function UserMenu({ user }: { user: { name: string; role: string } | null }) {
  if (!user) {
    return (
      <Link
        href="/signin"
        className="rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500"
      >
        Sign in
      </Link>
    );
  }
  const short = user.name.length > 14 ? `${user.name.slice(0, 6)}…${user.name.slice(-4)}` : user.name;
  return (
    <div className="flex items-center gap-2 text-sm">
      <span className="hidden text-zinc-600 sm:inline dark:text-zinc-300" title={user.name} data-testid="user-name">
        {short}
      </span>
      <span data-testid="user-role">
        <Badge tone={user.role === "admin" ? "blue" : "gray"}>{user.role}</Badge>
      </span>
      <button
        type="button"
        onClick={() => signOut({ callbackUrl: "/signin" })}
        className="text-zinc-500 dark:text-zinc-400 underline-offset-2 hover:underline"
      >
        Sign out
      </button>
    </div>
  );
}
