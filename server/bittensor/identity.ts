import type { KeyringPair } from "@polkadot/keyring/types";
import { config } from "../env";
import { lazy } from "../global";
import { loadWalletHotkey, signerFromUri } from "./keys";

/** The devnet validator's hotkey: registered with a permit on the simulated subnet. */
export const DEVNET_VALIDATOR_URI = "//devnet-validator";

/**
 * The hotkey this console signs with (weights, calls to miners): VALIDATOR_HOTKEY_SEED, else the wallet
 * WALLET_NAME/WALLET_HOTKEY, else on the devnet the devnet validator; null when none is configured.
 * A missing or unreadable wallet throws WalletError (reported at start).
 */
export const consoleHotkey = lazy<KeyringPair | null>(() => {
  const c = config();
  if (c.VALIDATOR_HOTKEY_SEED) return signerFromUri(c.VALIDATOR_HOTKEY_SEED);
  if (c.WALLET_NAME) return loadWalletHotkey({ path: c.WALLET_PATH, name: c.WALLET_NAME, hotkey: c.WALLET_HOTKEY });
  if (c.devnet) return signerFromUri(DEVNET_VALIDATOR_URI);
  return null;
});
