// Entry of the signature-verification worker: Node loads it as it is, then TypeScript through tsx.
require("tsx/cjs/api").register();
require("./verify-worker.ts");
