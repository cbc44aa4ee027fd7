import { z } from "zod";
import { DEFAULT_BODY_LIMIT, type RouteHandler } from "./api-route";

type JsonSchema = Record<string, unknown>;

/** FastAPI's error body: a message, or for invalid input the failing fields. */
const HTTP_ERROR: JsonSchema = {
  type: "object",
  required: ["detail"],
  properties: {
    detail: {
      oneOf: [
        { type: "string", description: "What went wrong" },
        { type: "array", items: { $ref: "#/components/schemas/ValidationErrorDetail" } },
      ],
    },
  },
};
const VALIDATION_ERROR: JsonSchema = {
  type: "object",
  required: ["loc", "msg", "type"],
  properties: {
    loc: { type: "array", items: { type: "string" }, description: 'Where: ["body" | "query" | "header", field...]' },
    msg: { type: "string" },
    type: { type: "string" },
  },
};
/** The compute marketplace's envelope (seed 004). */
const SN27_ERROR: JsonSchema = {
  type: "object",
  required: ["success", "message"],
  properties: { success: { const: false }, message: { type: "string" }, err_detail: {} },
};

/** Builds the OpenAPI 3.1 document from the routes' own zod schemas. */
export function buildOpenApi(routes: RouteHandler[], info: { title: string; version: string; description: string }) {
  const components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> } = {
    schemas: {},
    securitySchemes: {},
  };
  const toSchema = (schema: z.ZodType, io: "input" | "output"): JsonSchema => {
    const registry = z.globalRegistry;
    const raw = z.toJSONSchema(schema, { io, target: "draft-2020-12", unrepresentable: "any", metadata: registry });
    const out = JSON.parse(JSON.stringify(raw).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
    delete out.id;
    const defs = (out.$defs ?? {}) as Record<string, JsonSchema>;
    for (const [id, s] of Object.entries(defs)) {
      delete s.id;
      components.schemas[id] = s;
    }
    delete out.$defs;
    delete out.$schema;
    const id = registry.get(schema)?.id;
    if (id) {
      // zod emits a schema with an id as a reference to its own definition; keep the definition.
      if (!("$ref" in out)) components.schemas[id] = out;
      return { $ref: `#/components/schemas/${id}` };
    }
    return out;
  };
  const paramsOf = (schema: z.ZodType | undefined, where: "query" | "header") => {
    if (!schema) return [];
    const s = toSchema(schema, "input") as { properties?: Record<string, JsonSchema>; required?: string[] };
    return Object.entries(s.properties ?? {}).map(([name, p]) => ({
      name,
      in: where,
      required: (s.required ?? []).includes(name),
      description: p.description,
      schema: p,
    }));
  };

  components.schemas.HTTPError = HTTP_ERROR;
  components.schemas.ValidationErrorDetail = VALIDATION_ERROR;
  components.schemas.SN27Error = SN27_ERROR;
  const paths: Record<string, Record<string, unknown>> = {};
  const shared: Array<(typeof routes)[number]["def"]> = [];
  for (const { def } of routes) {
    const ex = typeof def.examples === "function" ? def.examples() : def.examples;
    const okType = def.response.schema ? (def.response.contentType ?? "application/json") : def.response.contentType;
    const responses: Record<string, unknown> = {
      [String(def.response.status ?? 200)]: {
        description: def.response.description,
        headers: def.response.headers
          ? Object.fromEntries(
              Object.entries(def.response.headers).map(([name, description]) => [
                name,
                { description, schema: { type: "string" } },
              ]),
            )
          : undefined,
        content: okType
          ? {
              [okType]: {
                ...(def.response.schema ? { schema: toSchema(def.response.schema, "output") } : {}),
                ...(ex?.response !== undefined ? { example: ex.response } : {}),
              },
            }
          : undefined,
      },
    };
    const invalid = def.invalidStatus ?? 422;
    const errorBody = (status: number, description: string) => {
      if (def.format === "sn27")
        return {
          description,
          content: {
            "application/json": {
              schema: { $ref: "#/components/schemas/SN27Error" },
              example: { success: false, message: description, err_detail: description },
            },
          },
        };
      const validation = status === invalid && (def.query || def.headers || def.body);
      return {
        description,
        content: {
          "application/json": {
            schema: { $ref: "#/components/schemas/HTTPError" },
            example: validation
              ? { detail: [{ loc: ["body", "hotkey"], msg: "must be an SS58 address", type: "value_error" }] }
              : { detail: description.split(/[,;(]/)[0].trim() },
          },
        },
      };
    };
    for (const [status, description] of Object.entries(def.errors ?? {}))
      responses[status] = errorBody(Number(status), description);
    if (def.query || def.headers || def.body)
      responses[String(invalid)] ??= errorBody(invalid, "Invalid input: the failing fields are listed in detail");
    const bodyLimit = def.body ? (def.bodyLimit ?? DEFAULT_BODY_LIMIT) : null;
    if (bodyLimit !== null) responses["413"] ??= errorBody(413, `Request body too large (limit ${bodyLimit} bytes)`);
    const authParts = def.auth ? (def.auth.parts ?? [def.auth]) : [];
    for (const a of authParts) components.securitySchemes[a.name] = a.openapi;
    const pathParams = [...def.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    paths[def.path] ??= {};
    const exampleOf = (name: string, where: "query" | "header") =>
      (where === "query" ? ex?.query : ex?.headers)?.[name];
    const withExamples = (params: Array<{ name: string; in: string }>) =>
      params.map((p) => {
        const example = exampleOf(p.name, p.in as "query" | "header");
        return example === undefined ? p : { ...p, example };
      });
    if (def.onlyWithHeader) {
      // One operation per path and method in OpenAPI: a header-selected route is described on the shared one.
      shared.push(def);
      continue;
    }
    paths[def.path][def.method.toLowerCase()] = {
      summary: def.summary,
      description:
        [def.description, ex?.curl && `Example:\n\n\`\`\`sh\n${ex.curl}\n\`\`\``].filter(Boolean).join("\n\n") ||
        undefined,
      tags: def.tags,
      operationId:
        `${def.method.toLowerCase()}${def.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}` ||
        "root",
      parameters: withExamples([...pathParams, ...paramsOf(def.query, "query"), ...paramsOf(def.headers, "header")]),
      requestBody: def.body
        ? {
            required: true,
            description: `At most ${bodyLimit} bytes, read only after authentication.`,
            content: {
              "application/json": {
                schema: toSchema(def.body, "input"),
                ...(ex?.body !== undefined ? { example: ex.body } : {}),
              },
            },
          }
        : undefined,
      responses,
      security: authParts.length ? [Object.fromEntries(authParts.map((a) => [a.name, []]))] : undefined,
    };
  }
  for (const def of shared) {
    const op = paths[def.path]?.[def.method.toLowerCase()] as { description?: string } | undefined;
    const text = `With an \`${def.onlyWithHeader}\` header (${def.module} module): ${def.summary}. ${def.description ?? ""}`;
    if (op) op.description = [op.description, text].filter(Boolean).join("\n\n");
  }
  return {
    openapi: "3.1.0",
    info,
    // Relative: "Try it out" calls the console that served this document, whatever its address.
    servers: [{ url: "/", description: "This console" }],
    paths,
    components,
  };
}
