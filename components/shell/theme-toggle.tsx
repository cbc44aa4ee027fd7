"use client";
import { useEffect } from "react";
import { useHydrated } from "@/components/ui/use-hydrated";

function savedDark(): boolean {
  try {
    const t = localStorage.getItem("theme");
    return t === "dark" || (!t && matchMedia("(prefers-color-scheme: dark)").matches);
  } catch {
    return false;
  }
}

export function ThemeToggle() {
  const hydrated = useHydrated();
  // The inline script in the root layout sets the theme before the first paint; this keeps it set should
  // React ever re-create the <html> element's attributes.
  useEffect(() => {
    document.documentElement.classList.toggle("dark", savedDark());
  }, []);
  const toggle = () => {
    const dark = document.documentElement.classList.toggle("dark");
    localStorage.setItem("theme", dark ? "dark" : "light");
  };
  return (
    <button
      type="button"
      onClick={toggle}
      disabled={!hydrated}
      aria-label="Toggle dark mode"
      className="rounded-lg border border-zinc-300 px-2 py-1 text-sm text-zinc-600 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-300 dark:hover:bg-zinc-800"
    >
      <span className="dark:hidden">☾</span>
      <span className="hidden dark:inline">☀</span>
    </button>
  );
}
