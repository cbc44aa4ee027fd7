"use client";
import { signIn } from "next-auth/react";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc";
import { Button, Card, Input } from "@/components/ui";
import { useHydrated } from "@/components/ui/use-hydrated";

interface InjectedAccount {
  address: string;
  name?: string;
}
interface InjectedExtension {
  accounts: { get(): Promise<InjectedAccount[]> };
  signer: { signRaw(payload: { address: string; data: string; type: "bytes" }): Promise<{ signature: string }> };
}
declare global {
  interface Window {
    injectedWeb3?: Record<string, { enable(origin: string): Promise<InjectedExtension> }>;
  }
}

function toHex(text: string): string {
  return "0x" + Array.from(new TextEncoder().encode(text), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const trpc = useTRPC();
  // Each message shows beside what it is about: the password form, or the wallet.
  const [error, setErrorState] = useState<{ where: "password" | "wallet"; text: string } | null>(null);
  const setError = (text: string | null, where: "password" | "wallet" = "wallet") =>
    setErrorState(text === null ? null : { where, text });
  const [busy, setBusy] = useState(false);
  const [accounts, setAccounts] = useState<InjectedAccount[] | null>(null);
  const [extension, setExtension] = useState<InjectedExtension | null>(null);
  const nonce = useMutation(trpc.system.walletNonce.mutationOptions());
  // Until React handles the form, a native submit would put the password in the URL.
  const hydrated = useHydrated();

  const finish = async (provider: string, fields: Record<string, string>) => {
    const res = await signIn(provider, { ...fields, redirect: false, callbackUrl });
    if (res?.ok && !res.error) window.location.assign(callbackUrl);
    // next-auth says "CredentialsSignin" for a plain refusal; other errors are the server's own message.
    const where = provider === "password" ? "password" : "wallet";
    if (res?.error && res.error !== "CredentialsSignin") setError(res.error, where);
    else
      setError(where === "password" ? "Wrong username or password." : "The wallet signature was not accepted.", where);
  };

  const onPassword = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await finish("password", { username: String(form.get("username")), password: String(form.get("password")) });
    } finally {
      setBusy(false);
    }
  };

  const connectWallet = async () => {
    setError(null);
    const injected = window.injectedWeb3 ?? {};
    const name = Object.keys(injected).find((k) => k === "polkadot-js") ?? Object.keys(injected)[0];
    if (!name) {
      setError("No Polkadot wallet extension found in this browser.");
      return;
    }
    try {
      const ext = await injected[name].enable("Subnet Console");
      setExtension(ext);
      setAccounts(await ext.accounts.get());
    } catch (e) {
      setError(`The wallet refused: ${(e as Error).message}`);
    }
  };

  const signWith = async (address: string) => {
    if (!extension) return;
    setBusy(true);
    setError(null);
    try {
      const { nonce: n, message } = await nonce.mutateAsync({ address });
      const { signature } = await extension.signer.signRaw({ address, data: toHex(message), type: "bytes" });
      await finish("wallet", { address, nonce: n, signature });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="space-y-4">
      <Card title="Admin">
        <form onSubmit={onPassword} method="post" className="space-y-3">
          <div>
            <label htmlFor="username" className="mb-1 block text-xs text-zinc-500 dark:text-zinc-400">
              Username
            </label>
            <Input id="username" name="username" autoComplete="username" defaultValue="admin" required />
          </div>
          <div>
            <label htmlFor="password" className="mb-1 block text-xs text-zinc-500 dark:text-zinc-400">
              Password
            </label>
            <Input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              aria-invalid={error?.where === "password" || undefined}
              aria-describedby={error?.where === "password" ? "password-error" : undefined}
            />
            {error?.where === "password" && (
              <p id="password-error" role="alert" className="mt-1 text-sm text-rose-600 dark:text-rose-400">
                {error.text}
              </p>
            )}
          </div>
          <Button type="submit" disabled={busy || !hydrated} className="w-full">
            Sign in
          </Button>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">
            The password is the one printed when the console first started, or ADMIN_PASSWORD if it is set.
          </p>
        </form>
      </Card>
      <Card title="Polkadot / Bittensor wallet">
        <p className="mb-3 text-xs text-zinc-500 dark:text-zinc-400">
          Sign a one-time message with your hotkey. Hotkeys in ADMIN_HOTKEYS are admins; hotkeys registered on the
          subnet or in VIEWER_HOTKEYS can view.
        </p>
        {accounts === null ? (
          <Button variant="secondary" className="w-full" onClick={connectWallet} disabled={busy || !hydrated}>
            Connect wallet
          </Button>
        ) : accounts.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">The wallet shared no accounts.</p>
        ) : (
          <ul className="space-y-2">
            {accounts.map((a) => (
              <li key={a.address}>
                <Button
                  variant="secondary"
                  className="w-full truncate text-left"
                  onClick={() => signWith(a.address)}
                  disabled={busy}
                >
                  {a.name ? `${a.name} · ` : ""}
                  <span className="font-mono text-xs">{a.address}</span>
                </Button>
              </li>
            ))}
          </ul>
        )}
        {error?.where === "wallet" && (
          <p role="alert" className="mt-3 text-sm text-rose-600 dark:text-rose-400">
            {error.text}
          </p>
        )}
      </Card>
    </div>
  );
}
