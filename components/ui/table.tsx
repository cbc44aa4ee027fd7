import type { ReactNode } from "react";
import { cx } from "./index";

export function Table({ head, children, testId }: { head: ReactNode[]; children: ReactNode; testId?: string }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid={testId}>
        <thead>
          <tr className="text-left text-xs uppercase text-zinc-500 dark:text-zinc-400">
            {head.map((h, i) => (
              <th key={i} className="whitespace-nowrap py-1 pr-3 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="tabular-nums">{children}</tbody>
      </table>
    </div>
  );
}

export function Row({ children, onClick, active }: { children: ReactNode; onClick?: () => void; active?: boolean }) {
  return (
    <tr
      onClick={onClick}
      className={cx(
        "border-t border-zinc-100 dark:border-zinc-800",
        onClick && "cursor-pointer hover:bg-zinc-50 dark:hover:bg-zinc-800/50",
        active && "bg-indigo-50 dark:bg-indigo-950/40",
      )}
    >
      {children}
    </tr>
  );
}

export function Cell({ children, className, title }: { children: ReactNode; className?: string; title?: string }) {
  return (
    <td className={cx("whitespace-nowrap py-1.5 pr-3", className)} title={title}>
      {children}
    </td>
  );
}
