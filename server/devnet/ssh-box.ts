/**
 * A devnet machine's SSH server (the `ssh2` package) on loopback: what a renter logs into after an
 * allocation. It accepts the allocation's password and the renter's public key, refuses every login while
 * paused, and answers a restricted shell that shows the simulated machine (`nvidia-smi`, `nproc`, ...).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";
import type { MachineProfile } from "./machines";
import { NATIVE_SSH_CIPHERS } from "../compute";
import { Workspace } from "./workspace";

const { Server, utils } = ssh2;
type Connection = ssh2.Connection;

export interface SshAccess {
  username: string;
  password: string;
  /** OpenSSH public key line ("ssh-ed25519 AAAA... comment"), or "" for password only. */
  authorizedKey: string;
}

const MAX_LINE = 4096;
/** One line of the restricted shell: the simulated machine's answer to a command. */
export function machineAnswer(machine: MachineProfile, hostname: string, line: string): string {
  const [cmd = "", ...args] = line.trim().split(/\s+/);
  const gpus = machine.gpu ? Array.from({ length: machine.gpu.count }, () => machine.gpu!) : [];
  switch (cmd) {
    case "":
      return "";
    case "nvidia-smi":
      if (!gpus.length) return "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n";
      if (args.includes("--query-gpu=name,memory.total") || args.some((a) => a.startsWith("--query-gpu")))
        return gpus.map((g) => `${g.name}, ${g.mib} MiB\n`).join("");
      return (
        "+-----------------------------------------------------------------------------+\n" +
        "| NVIDIA-SMI 550.54.15    Driver Version: 550.54.15    CUDA Version: 12.4     |\n" +
        "|-------------------------------+----------------------+----------------------+\n" +
        gpus
          .map((g, i) => `| ${String(i).padEnd(2)} ${g.name.padEnd(27)} | ${`0MiB / ${g.mib}MiB`.padStart(20)} |\n`)
          .join("") +
        "+-----------------------------------------------------------------------------+\n"
      );
    case "nproc":
      return `${machine.cpus}\n`;
    case "free":
      return `              total        used        free\nMem:   ${String(machine.ramGib).padStart(12)}G           1G ${String(machine.ramGib - 1).padStart(11)}G\n`;
    case "df":
      return `Filesystem      Size  Used Avail Use% Mounted on\noverlay        ${machine.diskGib}G    1G  ${machine.diskGib - 1}G   1% /\n`;
    case "hostname":
      return `${hostname}\n`;
    case "whoami":
      return "root\n";
    case "uname":
      return `Linux ${hostname} 6.1.0-devnet x86_64 GNU/Linux\n`;
    case "echo":
      return `${args.join(" ")}\n`;
    default:
      return `${cmd.slice(0, 64)}: command not found (devnet machine: nvidia-smi, nproc, free, df, hostname, whoami, uname, echo, exit)\n`;
  }
}

/**
 * An ed25519 host key ssh2 can load: its generator now and then writes one its own parser refuses ("Malformed
 * OpenSSH private key"), which failed the machine's first rental; such a key is drawn again.
 */
export function ed25519KeyPair(comment?: string): ReturnType<typeof utils.generateKeyPairSync> {
  for (;;) {
    const pair = utils.generateKeyPairSync("ed25519", comment ? { comment } : undefined);
    if (!(utils.parseKey(pair.private) instanceof Error)) return pair;
  }
}

export class SshBox {
  private server: ssh2.Server | null = null;
  private clients = new Set<Connection>();
  /** The same host key for the box's whole life (clients may pin it). */
  readonly hostKey = ed25519KeyPair();
  port = 0;
  access: SshAccess | null = null;
  paused = false;

  /** The rental's files and the few programs a Proof of GPU needs (created per rental). */
  private workspace: Workspace | null = null;

  constructor(
    readonly machine: MachineProfile,
    readonly hostname: string,
  ) {}

  /** The host key as an OpenSSH public key line. */
  get hostPublicKey(): string {
    return this.hostKey.public;
  }

  /** Starts serving `access` (on the previous port when it is still free). */
  async open(access: SshAccess): Promise<number> {
    this.access = access;
    this.paused = false;
    this.workspace?.remove();
    this.workspace = new Workspace(this.machine);
    if (this.server) return this.port;
    const server = new Server(
      { hostKeys: [this.hostKey.private], ident: "devnet-machine", algorithms: { cipher: NATIVE_SSH_CIPHERS } },
      (client) => this.serve(client),
    );
    const listen = (port: number) =>
      new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, "127.0.0.1", () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    this.port = await listen(this.port).catch(() => listen(0));
    this.server = server;
    return this.port;
  }

  /** Ends every session and stops listening. */
  async close(): Promise<void> {
    this.access = null;
    this.kick();
    this.workspace?.remove();
    this.workspace = null;
    const server = this.server;
    this.server = null;
    // A peer that never closes its side would hold `close` forever: stop waiting after a second.
    if (server) await new Promise<void>((r) => (server.close(() => r()), setTimeout(r, 1000).unref()));
  }

  /** Pause: sessions end and logins are refused until `resume`. */
  pause(): void {
    this.paused = true;
    this.kick();
  }

  resume(): void {
    this.paused = false;
  }

  /** A fresh password for the same access (a restart). */
  static password(): string {
    return randomBytes(18).toString("base64url");
  }

  private kick(): void {
    for (const c of this.clients) {
      c.end();
      // A peer that does not answer the disconnect is cut off.
      const sock = (c as unknown as { _sock?: { destroy(): void } })._sock;
      if (sock) setTimeout(() => sock.destroy(), 1000).unref();
    }
    this.clients.clear();
  }

  private serve(client: Connection): void {
    this.clients.add(client);
    client.on("close", () => this.clients.delete(client));
    client.on("error", () => this.clients.delete(client));
    client.on("authentication", (ctx) => {
      const access = this.access;
      if (!access || this.paused || ctx.username !== access.username) return ctx.reject(["password", "publickey"]);
      if (ctx.method === "password") {
        const given = Buffer.from(ctx.password);
        const expected = Buffer.from(access.password);
        return given.length === expected.length && timingSafeEqual(given, expected)
          ? ctx.accept()
          : ctx.reject(["password", "publickey"]);
      }
      if (ctx.method === "publickey" && access.authorizedKey) {
        const key = utils.parseKey(access.authorizedKey);
        if (key instanceof Error) return ctx.reject(["password"]);
        const pub = key.getPublicSSH();
        const same =
          ctx.key.algo === key.type && ctx.key.data.length === pub.length && timingSafeEqual(ctx.key.data, pub);
        if (!same) return ctx.reject(["password", "publickey"]);
        if (!ctx.signature) return ctx.accept(); // the client asks whether this key would do
        return ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true
          ? ctx.accept()
          : ctx.reject(["password", "publickey"]);
      }
      return ctx.reject(access.authorizedKey ? ["password", "publickey"] : ["password"]);
    });
    client.on("ready", () =>
      client.on("session", (accept) => {
        const session = accept();
        session.on("pty", (ok) => ok?.());
        session.on("exec", (ok, _reject, info) => {
          const stream = ok();
          const command = info.command.slice(0, MAX_LINE);
          if (this.workspace?.handles(command)) return this.workspace.exec(command, stream);
          const answer = machineAnswer(this.machine, this.hostname, command);
          stream.write(answer);
          stream.exit(answer.includes(": command not found") ? 127 : 0);
          stream.end();
        });
        session.on("shell", (ok) => {
          const stream = ok();
          const prompt = `root@${this.hostname}:~# `;
          stream.write(`Welcome to ${this.hostname} (${this.machine.label}, devnet)\r\n${prompt}`);
          let line = "";
          stream.on("data", (chunk: Buffer) => {
            for (const ch of chunk.toString("utf8")) {
              if (ch === "\r" || ch === "\n") {
                stream.write("\r\n");
                if (/^\s*(exit|logout)\s*$/.test(line)) {
                  stream.exit(0);
                  stream.end();
                  return;
                }
                stream.write(machineAnswer(this.machine, this.hostname, line).replace(/\n/g, "\r\n") + prompt);
                line = "";
              } else if (ch === "\u0003") {
                line = "";
                stream.write(`^C\r\n${prompt}`);
              } else if (ch === "\u007f") {
                if (line) stream.write("\b \b");
                line = line.slice(0, -1);
              } else if (line.length < MAX_LINE) {
                line += ch;
                stream.write(ch);
              }
            }
          });
        });
      }),
    );
  }
}
