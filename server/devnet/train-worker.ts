/** Worker thread of the devnet's trainer: runs training rounds off the server's event loop. */
import { serveCalls } from "../workers";
import { trainRound } from "./training";

serveCalls(trainRound, (weights) => [...weights.values()].map((t) => t.buffer as ArrayBuffer));
