// Entry of the devnet's training worker: Node loads it as it is, then TypeScript through tsx, as the server does.
require("tsx/cjs/api").register();
require("./train-worker.ts");
