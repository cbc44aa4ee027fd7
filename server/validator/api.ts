import { Keyring } from "@polkadot/keyring";
import { chain } from "../chain";
import { AppError } from "../errors";
import { countDownload, currentVersion, openRange, parseRange, type Selector } from "../models";
import { phaseAt, schedule } from "../phases";
import { dbReplayStore } from "../auth/replay-store";
import { validatorToken } from "../auth/secrets";
import { apiRoute, streamReply, type Reply, type RequestHead } from "../rest/api-route";
import { allOf, bearerAuth, signedRequestAuth } from "../rest/auth";
import { recorded } from "./activity";
import { artifactFor, checkMinerForGroup, checkValidator } from "./downloads";
import {
  checkpointSelectorSchema,
  healthSchema,
  partialHeadersSchema,
  submitResponseSchema,
  submitSchema,
} from "./schemas";
import { signSubmission } from "./message";
import { submitCheckpoint } from "./submissions";

const bearer = bearerAuth("validatorBearer", validatorToken);
const signed = signedRequestAuth("hotkeySignature", { replay: dbReplayStore });
const common = { module: "validator", format: "fastapi", tags: ["Validator"], invalidStatus: 400 } as const;
/** Examples use a throwaway development key (//Alice), never a real one. */
const EXAMPLE_TOKEN = "<BZ_AUTH_TOKEN>";
const EXAMPLE_HOTKEY = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
const bearerHeader = `-H "Authorization: Bearer ${EXAMPLE_TOKEN}"`;
const downloadHeaders = {
  "Content-Length": "Size of this answer in bytes (of the range, for 206)",
  "Content-Range": "bytes start-end/total (206 only)",
  "Accept-Ranges": "bytes",
  ETag: 'The content hash in quotes: "<sha256 hex>"; use it with If-Range to resume',
  "X-Content-Hash": "sha256:<hex> of the complete body (not of a range)",
  "X-Model-Version": "Name of the served model version, e.g. step_1207",
  "X-Block-Number": "Block at which the version was published",
  "X-Expert-Group": "The group number, full or shared",
  "Content-Disposition": 'attachment; filename="<version>-<selector>.safetensors"',
};
const downloadErrors = {
  400: "Malformed headers",
  401: "Missing or invalid auth token",
  404: "Requested expert group does not exist",
  416: "Range not satisfiable",
  503: "Model has not finished loading",
};

/** Short phase names of /health: the seed's four plus validate and merge. */
export function shortPhaseName(name: string): string {
  if (/commit/i.test(name)) return "commit";
  if (/^submission$/i.test(name)) return "submit";
  return name.toLowerCase();
}

/** A composed safetensors download: whole (200) or one byte range (206), with its content hash. */
function download(req: RequestHead, selector: Selector): Reply {
  const { version, artifact } = artifactFor(selector);
  const { composition, sha256 } = artifact;
  const etag = `"${sha256}"`;
  const ifRange = req.headers.get("if-range");
  const range = ifRange && ifRange !== etag ? null : parseRange(req.headers.get("range"), composition.length);
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "content-disposition": `attachment; filename="${version.name}-${artifact.selector.replace(":", "-")}.safetensors"`,
    "accept-ranges": "bytes",
    etag,
    "x-content-hash": `sha256:${sha256}`,
    "x-expert-group": typeof selector === "string" ? selector : String(selector.group),
    "x-block-number": String(version.blockNumber),
    "x-model-version": version.name,
  };
  if (range === "unsatisfiable") {
    throw new AppError(416, "range_not_satisfiable", "Range Not Satisfiable", undefined, {
      "content-range": `bytes */${composition.length}`,
    });
  }
  if (!range || range.start === 0) void countDownload(version.id, artifact.selector).catch(() => undefined);
  if (!range)
    return streamReply(200, { ...headers, "content-length": String(composition.length) }, () => openRange(composition));
  return streamReply(
    206,
    {
      ...headers,
      "content-length": String(range.end - range.start),
      "content-range": `bytes ${range.start}-${range.end - 1}/${composition.length}`,
    },
    () => openRange(composition, range.start, range.end),
  );
}

export const healthRoute = apiRoute({
  ...common,
  method: "GET",
  path: "/health",
  summary: "Health check (no authentication)",
  response: { description: "Validator status", schema: healthSchema },
  examples: {
    response: { status: "healthy", model_loaded: true, current_block: 54305, phase: "train" },
    curl: `curl -sS "http://localhost:3000/health"`,
  },
  handler: () => {
    const head = chain().head();
    const modelLoaded = currentVersion() !== null;
    return {
      status: modelLoaded && head !== null ? "healthy" : "degraded",
      model_loaded: modelLoaded,
      current_block: head,
      phase: head === null ? null : shortPhaseName(phaseAt(head, schedule()).phase_name),
    } as const;
  },
});

export const partialRoute = apiRoute({
  ...common,
  method: "GET",
  path: "/model/partial",
  summary: "The expert group slice for the requesting miner",
  description:
    "A safetensors file with exactly the group's routed-expert tensors, composed from the shards and streamed. `__metadata__` holds expert_group, block_number and model_version; the headers X-Expert-Group, X-Block-Number, X-Model-Version and X-Content-Hash (sha256 of the exact body) carry the same. Supports Range and If-Range; the ETag is the content hash. 403 for a hotkey not registered on the subnet, or asking for a group other than the one an admin assigned it.",
  auth: bearer,
  headers: partialHeadersSchema,
  response: {
    description: "Expert group tensor data",
    contentType: "application/octet-stream",
    headers: downloadHeaders,
  },
  examples: {
    headers: { "x-hotkey": EXAMPLE_HOTKEY, "x-expert-group": "0" },
    curl: `curl -sS --fail-with-body -OJ ${bearerHeader} -H "X-Hotkey: ${EXAMPLE_HOTKEY}" -H "X-Expert-Group: 0" "http://localhost:3000/model/partial"`,
  },
  errors: { ...downloadErrors, 403: "Hotkey not registered on the subnet, or assigned to another group" },
  handler: ({ req, headers }) =>
    recorded(headers["x-hotkey"], "/model/partial", async () => {
      artifactFor({ group: headers["x-expert-group"] }); // 503 and 404 before the metagraph check
      await checkMinerForGroup(headers["x-hotkey"], headers["x-expert-group"]);
      return download(req, { group: headers["x-expert-group"] });
    }),
});

export const fullRoute = apiRoute({
  ...common,
  method: "GET",
  path: "/model/full",
  summary: "The complete model, for peer validators",
  description:
    "The whole model as one safetensors file composed from the shards and streamed, with Range and the content hash. The caller proves its hotkey with a signed request (X-Hotkey, X-Timestamp, X-Signature) besides the Bearer token; only validators (validator permit, or VALIDATOR_HOTKEYS) are served.",
  auth: allOf(bearer, signed),
  response: {
    description: "The streamed safetensors model",
    contentType: "application/octet-stream",
    headers: downloadHeaders,
  },
  examples: {
    headers: { "x-hotkey": EXAMPLE_HOTKEY, "x-timestamp": "1763900000", "x-signature": "0x<128 hex digits>" },
    curl: [
      "# python3: sign '{timestamp}.GET./model/full' with the validator hotkey",
      "TS=$(date +%s); SIG=$(python3 -c \"import bittensor as bt,sys; w=bt.Wallet(); print('0x'+w.hotkey.sign(f'{sys.argv[1]}.GET./model/full'.encode()).hex())\" $TS)",
      `curl -sS --fail-with-body -OJ ${bearerHeader} -H "X-Hotkey: ${EXAMPLE_HOTKEY}" -H "X-Timestamp: $TS" -H "X-Signature: $SIG" "http://localhost:3000/model/full"`,
    ].join("\n"),
  },
  errors: {
    ...downloadErrors,
    401: "Missing or invalid auth token, or a bad, stale or reused request signature",
    403: "Requester hotkey is not registered as a validator",
  },
  handler: ({ req, auth }) =>
    recorded(auth.hotkey, "/model/full", async () => {
      await checkValidator(auth.hotkey);
      return download(req, "full");
    }),
});

const checkpointDoc = {
  ...common,
  path: "/get-checkpoint",
  summary: "A checkpoint: the full model, one expert group, or the shared parameters",
  description:
    "`expert_group_id` as a query parameter or form field (curl -F sends a multipart POST): a number gives that group, `shared` the shared tensors, absent the full model.",
  auth: bearer,
  response: {
    description: "The streamed safetensors checkpoint",
    contentType: "application/octet-stream",
    headers: downloadHeaders,
  },
  errors: downloadErrors,
} as const;

const toSelector = (id: string | undefined): Selector =>
  id === undefined ? "full" : id === "shared" ? "shared" : { group: Number(id) };

export const getCheckpointRoute = apiRoute({
  ...checkpointDoc,
  method: "GET",
  query: checkpointSelectorSchema,
  examples: {
    query: { expert_group_id: "0" },
    curl: `curl -sS --fail-with-body -OJ ${bearerHeader} "http://localhost:3000/get-checkpoint?expert_group_id=0"`,
  },
  handler: ({ req, query }) => download(req, toSelector(query.expert_group_id)),
});

export const postCheckpointRoute = apiRoute({
  ...checkpointDoc,
  method: "POST",
  body: checkpointSelectorSchema.optional().transform((b) => b ?? {}),
  bodyLimit: 4 * 1024,
  examples: {
    body: { expert_group_id: "shared" },
    curl: `curl -sS --fail-with-body -OJ ${bearerHeader} -F expert_group_id=shared "http://localhost:3000/get-checkpoint"`,
  },
  handler: ({ req, body }) => download(req, toSelector(body.expert_group_id)),
});

export const submitRoute = apiRoute({
  ...common,
  method: "POST",
  path: "/submit",
  summary: "Submit a trained checkpoint (Submission phase)",
  description:
    "The signature covers the UTF-8 bytes of the compact JSON of {block_number, checkpoint_url, expert_group, hotkey} with sorted keys (Python: json.dumps(d, sort_keys=True, separators=(',', ':'))). block_number must lie in the cycle that just trained, between the start of its Train phase and the current head. One submission per hotkey and block.",
  auth: bearer,
  body: submitSchema,
  bodyLimit: 16 * 1024,
  response: { status: 202, description: "Queued for evaluation", schema: submitResponseSchema },
  examples: () => {
    // A real signature by the ed25519 development key //Alice over the canonical message (ed25519 is
    // deterministic: the document is the same on every start). It verifies, as the docs promise.
    const body = signSubmission(new Keyring({ type: "ed25519", ss58Format: 42 }).addFromUri("//Alice"), {
      expert_group: 0,
      checkpoint_url: "https://example.com/checkpoints/alice-group0.safetensors",
      block_number: 54300,
    });
    return {
      body,
      response: {
        status: "accepted",
        submission_id: "0b6f1f8e-3c1e-4d7a-9a8e-5d2b1c0e7f42",
        evaluation_eta_blocks: 12,
      },
      curl: `curl -sS ${bearerHeader} -H "Content-Type: application/json" -d '${JSON.stringify(body)}' "http://localhost:3000/submit"`,
    };
  },
  errors: {
    400: "Malformed body, invalid signature, unknown group, block in the future or outside the cycle that just trained",
    401: "Missing or invalid auth token",
    403: "Hotkey not registered on the subnet",
    409: "Duplicate submission for this hotkey + block",
    423: "Not currently in submit phase",
  },
  handler: ({ body }) => recorded(body.hotkey, "/submit", () => submitCheckpoint(body)),
});

export const validatorRoutes = [
  healthRoute,
  partialRoute,
  fullRoute,
  getCheckpointRoute,
  postCheckpointRoute,
  submitRoute,
];
