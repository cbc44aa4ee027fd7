/** The oracle's form schemas, shared with the browser (zod only). */
import { z } from "zod";

export const MULTIADDR_PATTERN = /^(\/[a-z0-9-]+\/[^/\s]+)+$/;

/** A bootstrap peer, as Settings' form and the addPeer procedure take it. */
export const multiaddrSchema = z
  .string()
  .trim()
  .min(3)
  .max(512)
  .regex(MULTIADDR_PATTERN, "must be a multiaddress such as /ip4/203.0.113.1/tcp/4001/p2p/<peer id>");
