import { z } from "zod";
import { DEFAULT_BODY_LIMIT, type RouteHandler } from "./api-route";

type JsonSchema = Record<string, unknown>;

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

  const paths: Record<string, Record<string, unknown>> = {};
  for (const { def } of routes) {
    const responses: Record<string, unknown> = {
      [String(def.response.status ?? 200)]: {
        description: def.response.description,
        content: def.response.schema
          ? { [def.response.contentType ?? "application/json"]: { schema: toSchema(def.response.schema, "output") } }
          : def.response.contentType
            ? { [def.response.contentType]: {} }
            : undefined,
      },
    };
    for (const [status, description] of Object.entries(def.errors ?? {})) responses[status] = { description };
    if (def.query || def.headers || def.body)
      responses[String(def.invalidStatus ?? 422)] ??= { description: "Invalid input" };
    const bodyLimit = def.body ? (def.bodyLimit ?? DEFAULT_BODY_LIMIT) : null;
    if (bodyLimit !== null) responses["413"] ??= { description: `Body larger than ${bodyLimit} bytes` };
    const authParts = def.auth ? (def.auth.parts ?? [def.auth]) : [];
    for (const a of authParts) components.securitySchemes[a.name] = a.openapi;
    const pathParams = [...def.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    paths[def.path] ??= {};
    paths[def.path][def.method.toLowerCase()] = {
      summary: def.summary,
      description: def.description,
      tags: def.tags,
      operationId:
        `${def.method.toLowerCase()}${def.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ""))}` ||
        "root",
      parameters: [...pathParams, ...paramsOf(def.query, "query"), ...paramsOf(def.headers, "header")],
      requestBody: def.body
        ? {
            required: true,
            description: `At most ${bodyLimit} bytes, read only after authentication.`,
            content: { "application/json": { schema: toSchema(def.body, "input") } },
          }
        : undefined,
      responses,
      security: authParts.length ? [Object.fromEntries(authParts.map((a) => [a.name, []]))] : undefined,
    };
  }
  return { openapi: "3.1.0", info, paths, components };
}
