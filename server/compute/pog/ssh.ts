/**
 * Proof of GPU's SSH side: log in to a rented machine (ssh2, native ciphers, pinned host keys where known), run
 * one command with a deadline and an output cap, and read the JSON line the script prints last.
 */
import { timingSafeEqual } from "node:crypto";
import ssh2 from "ssh2";
import { lazy } from "../../global";

/** Largest output read from the miner per step (parsed as JSON, nothing else). */
const MAX_OUTPUT = 8 * 1024 * 1024;

/** SSH ciphers Node's crypto runs natively (ssh2's chacha20-poly1305 is JavaScript without its addon). */
export const NATIVE_SSH_CIPHERS: ssh2.CipherAlgorithm[] = [
  "aes128-gcm@openssh.com",
  "aes256-gcm@openssh.com",
  "aes128-ctr",
  "aes256-ctr",
];

/** Host keys known in advance (the devnet's machines): a login to another key is refused. */
const pinned = lazy(() => new Map<string, string>());
export function pinHostKey(hotkey: string, openSshPublicKey: string): void {
  pinned().set(hotkey, openSshPublicKey);
}

/** A run that failed for a reason worth storing (not a bug of the console). */
export class PogFailure extends Error {}

export function sshConnect(
  host: string,
  port: number,
  username: string,
  password: string,
  hotkey: string,
  timeoutMs: number,
) {
  const pin = pinned().get(hotkey);
  const expected = pin ? ssh2.utils.parseKey(pin) : null;
  return new Promise<ssh2.Client>((resolve, reject) => {
    const c = new ssh2.Client();
    c.on("ready", () => resolve(c));
    c.on("error", (e) => reject(new PogFailure(`SSH: ${e.message}`)));
    c.connect({
      host,
      port,
      username,
      password,
      readyTimeout: timeoutMs,
      // Every packet is encrypted on the event loop: natively, not in JavaScript.
      algorithms: { cipher: NATIVE_SSH_CIPHERS },
      hostVerifier: (key: Buffer) => {
        if (!expected || expected instanceof Error) return !pin; // unknown machines: no pin to check
        const want = expected.getPublicSSH();
        return key.length === want.length && timingSafeEqual(key, want);
      },
    });
  });
}

/** One command with an optional stdin, cut at its deadline; stdout capped. */
export function sshExec(c: ssh2.Client, command: string, input: string | Buffer | null, timeoutMs: number) {
  return new Promise<{ code: number | null; out: string }>((resolve, reject) => {
    c.exec(command, (err, stream) => {
      if (err) return reject(new PogFailure(`SSH exec: ${err.message}`));
      const chunks: Buffer[] = [];
      let size = 0;
      const timer = setTimeout(() => {
        stream.close();
        reject(new PogFailure(`${command.split(" ").slice(-1)[0]}: no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      // Output past the cap (stdout and stderr together) ends the command at once: the channel is closed and
      // the run fails (its connection is then ended), so a machine cannot keep the console decrypting.
      const count = (d: Buffer, keep: boolean) => {
        size += d.length;
        if (size <= MAX_OUTPUT) return void (keep && chunks.push(d));
        clearTimeout(timer);
        stream.removeAllListeners("data");
        stream.stderr.removeAllListeners("data");
        stream.close();
        reject(new PogFailure(`more than ${MAX_OUTPUT} bytes of output`));
      };
      stream.on("data", (d: Buffer) => count(d, true));
      stream.stderr.on("data", (d: Buffer) => count(d, false));
      stream.on("close", (code: number | null) => {
        clearTimeout(timer);
        if (size <= MAX_OUTPUT) resolve({ code, out: Buffer.concat(chunks).toString("utf8") });
      });
      if (input !== null) stream.end(input);
    });
  });
}

/** The last line of a step's output as JSON (the script prints one object there). */
export function lastJson(out: string, step: string): Record<string, unknown> {
  const line = out.trim().split("\n").at(-1) ?? "";
  try {
    const v = JSON.parse(line) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // falls through
  }
  throw new PogFailure(`${step}: the answer is not a JSON object`);
}

export const num = (v: unknown, what: string) => {
  if (typeof v !== "number" || !Number.isFinite(v)) throw new PogFailure(`${what} is not a number`);
  return v;
};
