/**
 * The shape of an SS58 address (base58 alphabet, 46-48 characters), checked without decoding. Safe for
 * the browser and cheap on hostile input: base58 decoding is quadratic, so every SS58 field is held to
 * this before the checksum is verified (server/crypto/signature.ts isSs58Address).
 */
export const SS58_MAX_LENGTH = 48;
export const SS58_PATTERN = /^[1-9A-HJ-NP-Za-km-z]{46,48}$/;

export function looksLikeSs58(text: string): boolean {
  return text.length <= SS58_MAX_LENGTH && SS58_PATTERN.test(text);
}
