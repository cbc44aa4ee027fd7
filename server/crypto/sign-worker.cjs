// Entry of the signing worker: Node loads it as it is, then TypeScript through tsx.
require("tsx/cjs/api").register();
require("./sign-worker.ts");
