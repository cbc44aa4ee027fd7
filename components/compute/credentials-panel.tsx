"use client";
import { useState } from "react";
import { Button } from "@/components/ui";
import { shortKey } from "@/components/ui/format";
import type { Credentials } from "./allocation-types";

/** The private key file that goes with a public key line's type. */
function privateKeyFile(publicKey: string): string {
  const type = publicKey.split(" ")[0] ?? "";
  if (type.includes("ed25519")) return "~/.ssh/id_ed25519";
  if (type.includes("ecdsa")) return "~/.ssh/id_ecdsa";
  return "~/.ssh/id_rsa";
}

/** The credentials, shown once: the password is not kept by this page after it is dismissed. */
export function CredentialsPanel({ c, onDone }: { c: Credentials; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (what: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(`${what} copied.`);
    } catch {
      setCopied("Copying is not allowed here: select the text and copy it.");
    }
  };
  // With the renter's key: log in with it (the password line otherwise).
  const rows: Array<[string, string]> = c.ssh_key
    ? [
        ["SSH command", `ssh -i ${privateKeyFile(c.ssh_key)} ${c.ssh_username}@${c.ssh_ip} -p ${c.ssh_port}`],
        ["uuid_key", c.uuid_key],
      ]
    : [
        ["SSH command", c.ssh_command],
        ["Password", c.ssh_password],
        ["uuid_key", c.uuid_key],
      ];
  return (
    <div
      className="mb-4 rounded-lg border border-emerald-300 bg-emerald-50 p-3 dark:border-emerald-800 dark:bg-emerald-950"
      data-testid="allocation-credentials"
    >
      <p className="text-sm font-medium text-emerald-900 dark:text-emerald-200">
        Allocated {c.resource || "a machine"} ({shortKey(c.hotkey)}).{" "}
        {c.ssh_key
          ? "Log in with your key; save the uuid_key to manage the rental."
          : "Save the password now: it is shown only once."}
      </p>
      <dl className="mt-2 space-y-1 text-sm">
        {rows.map(([k, v]) => (
          <div key={k} className="flex flex-col gap-1 sm:flex-row sm:items-center sm:gap-2">
            <dt className="text-zinc-600 sm:w-28 dark:text-zinc-300">{k}</dt>
            <dd className="flex items-center gap-2">
              <span className="break-all font-mono text-xs text-zinc-900 dark:text-zinc-100">{v}</span>
              <Button
                type="button"
                variant="secondary"
                className="px-2 py-0.5 text-xs"
                onClick={() => copy(k, v)}
                aria-label={`Copy ${k}`}
              >
                Copy
              </Button>
            </dd>
          </div>
        ))}
      </dl>
      <div className="mt-2 flex items-center gap-3">
        <Button type="button" onClick={onDone}>
          I saved them
        </Button>
        {copied && (
          <span role="status" className="text-xs text-zinc-600 dark:text-zinc-300">
            {copied}
          </span>
        )}
      </div>
    </div>
  );
}
