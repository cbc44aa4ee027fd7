/** SSH as a renter does it, with the ssh2 client (the renter's side of an allocation). */
import ssh2 from "ssh2";

type Auth = { password?: string; privateKey?: string };

/** Runs one command and returns its stdout. */
export async function sshRun(
  port: number,
  auth: Auth,
  command = "nvidia-smi --query-gpu=name,memory.total --format=csv,noheader",
): Promise<string> {
  return (await sshExecute(port, auth, command)).out;
}

/** Runs one command over SSH with `input` on its stdin: exit code, stdout and stderr (a renter's session). */
export function sshExecute(
  port: number,
  auth: Auth,
  command: string,
  input: Buffer | string = "",
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on("ready", () =>
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let out = "";
        let errText = "";
        let code: number | null = null;
        stream.on("data", (d: Buffer) => (out += d.toString()));
        stream.stderr.on("data", (d: Buffer) => (errText += d.toString()));
        stream.on("exit", (n: number | null) => (code = n));
        stream.on("error", () => undefined);
        stream.on("close", () => {
          c.end();
          resolve({ code, out, err: errText });
        });
        stream.end(input);
      }),
    );
    c.on("error", reject);
    c.connect({ host: "127.0.0.1", port, username: "root", readyTimeout: 5000, ...auth });
  });
}
