/** Runs one command over SSH with the ssh2 client (the renter's side of an allocation). */
import ssh2 from "ssh2";

export function sshRun(
  port: number,
  auth: { password?: string; privateKey?: string },
  command = "nvidia-smi --query-gpu=name,memory.total --format=csv,noheader",
): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.on("ready", () =>
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        let out = "";
        stream.on("data", (d: Buffer) => (out += d.toString()));
        stream.on("close", () => {
          c.end();
          resolve(out);
        });
      }),
    );
    c.on("error", reject);
    c.connect({ host: "127.0.0.1", port, username: "root", readyTimeout: 5000, ...auth });
  });
}
