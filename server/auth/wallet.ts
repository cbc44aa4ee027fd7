import { randomBytes } from "node:crypto";
import { db } from "../db";
import { config } from "../env";
import { findNeuron } from "../chain";
import { BadRequestError, ForbiddenError, TooManyRequestsError, UnauthorizedError } from "../errors";
import { WindowCounter } from "../rate-limit";
import { isSs58Address, verifyHotkeySignature } from "../crypto/signature";

const NONCE_TTL_MS = 5 * 60_000;
/** Nonces are handed out without sign-in: 10 a minute per client address, 5 outstanding per hotkey. */
const perClient = new WindowCounter(10, 60_000);
const OUTSTANDING_PER_ADDRESS = 5;

export function walletSignInMessage(address: string, nonce: string): string {
  return `Sign in to Subnet Console\naddress: ${address}\nnonce: ${nonce}`;
}

/** A one-time nonce for `address` to sign with its wallet. */
export async function createWalletNonce(
  address: string,
  client: string,
): Promise<{ nonce: string; message: string; expiresAt: string }> {
  if (!isSs58Address(address)) throw new BadRequestError("address is not an SS58 address");
  if (!perClient.take(client))
    throw new TooManyRequestsError("Too many sign-in nonces from this address: wait a minute");
  const nonce = randomBytes(16).toString("hex");
  const now = new Date();
  const expiresAt = new Date(now.getTime() + NONCE_TTL_MS);
  // Expired and used nonces go; a hotkey keeps its newest few outstanding.
  await db().authNonce.deleteMany({ where: { OR: [{ expiresAt: { lt: now } }, { usedAt: { not: null } }] } });
  const outstanding = await db().authNonce.findMany({
    where: { address },
    orderBy: { expiresAt: "desc" },
    skip: OUTSTANDING_PER_ADDRESS - 1,
    select: { nonce: true },
  });
  if (outstanding.length)
    await db().authNonce.deleteMany({ where: { nonce: { in: outstanding.map((n) => n.nonce) } } });
  await db().authNonce.create({ data: { nonce, address, expiresAt } });
  return { nonce, message: walletSignInMessage(address, nonce), expiresAt: expiresAt.toISOString() };
}

/**
 * Checks a wallet's signature over its nonce message (the extension may wrap it in <Bytes>; both forms
 * verify) and uses the nonce up. Returns the role: admin for ADMIN_HOTKEYS, viewer for hotkeys registered
 * on the subnet or in VIEWER_HOTKEYS; any other hotkey is refused (403).
 */
export async function verifyWalletSignIn(
  address: string,
  nonce: string,
  signature: string,
): Promise<"admin" | "viewer"> {
  const row = await db().authNonce.findUnique({ where: { nonce } });
  if (!row || row.address !== address || row.usedAt || row.expiresAt < new Date())
    throw new UnauthorizedError("Unknown or expired sign-in nonce");
  if (!verifyHotkeySignature(walletSignInMessage(address, nonce), signature, address))
    throw new UnauthorizedError("Invalid signature");
  const { count } = await db().authNonce.updateMany({ where: { nonce, usedAt: null }, data: { usedAt: new Date() } });
  if (count !== 1) throw new UnauthorizedError("Sign-in nonce already used");
  const c = config();
  if (c.ADMIN_HOTKEYS.includes(address)) return "admin";
  if (c.VIEWER_HOTKEYS.includes(address)) return "viewer";
  for (const netuid of c.netuidsInUse) if (await findNeuron(address, netuid)) return "viewer";
  throw new ForbiddenError(
    `This hotkey is not registered on ${c.netuidsInUse.length > 1 ? "subnets" : "subnet"} ${c.netuidsInUse.join(", ")} and not in VIEWER_HOTKEYS: ask the operator for access.`,
  );
}
