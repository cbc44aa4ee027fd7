import { randomBytes } from "node:crypto";
import { db } from "../db";
import { config } from "../env";
import { BadRequestError, UnauthorizedError } from "../errors";
import { isSs58Address, verifyHotkeySignature } from "../crypto/signature";

const NONCE_TTL_MS = 5 * 60_000;

export function walletSignInMessage(address: string, nonce: string): string {
  return `Sign in to Subnet Console\naddress: ${address}\nnonce: ${nonce}`;
}

/** A one-time nonce for `address` to sign with its wallet. */
export async function createWalletNonce(
  address: string,
): Promise<{ nonce: string; message: string; expiresAt: string }> {
  if (!isSs58Address(address)) throw new BadRequestError("address is not an SS58 address");
  const nonce = randomBytes(16).toString("hex");
  const expiresAt = new Date(Date.now() + NONCE_TTL_MS);
  await db().authNonce.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  await db().authNonce.create({ data: { nonce, address, expiresAt } });
  return { nonce, message: walletSignInMessage(address, nonce), expiresAt: expiresAt.toISOString() };
}

/**
 * Checks a wallet's signature over its nonce message (the extension may wrap it in <Bytes>; both forms
 * verify) and uses the nonce up. Returns the role: admin for ADMIN_HOTKEYS, viewer otherwise.
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
  return config().ADMIN_HOTKEYS.includes(address) ? "admin" : "viewer";
}
