/**
 * The API reference, rendered on the server from the console's own OpenAPI document: every operation with its
 * auth, parameters, body fields, a curl line to paste (with a copy button) and its answers. No client-side
 * renderer: the page is HTML and one small button component.
 */
import type { ReactNode } from "react";
import { CopyButton } from "./copy-button";

type Json = Record<string, unknown>;
interface Param {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Json;
  example?: unknown;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  operationId: string;
  parameters?: Param[];
  requestBody?: { description?: string; content: Record<string, { schema?: Json; example?: unknown }> };
  responses: Record<string, { description?: string; content?: Record<string, { example?: unknown }> }>;
  security?: Array<Record<string, unknown>>;
}
export interface OpenApiDoc {
  info: { title: string; description?: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

const METHOD_TONE: Record<string, string> = {
  get: "bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-200",
  post: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  delete: "bg-rose-100 text-rose-900 dark:bg-rose-950 dark:text-rose-200",
};

/** Inline markdown of the descriptions: `code` and [links](url). */
function inline(text: string): ReactNode[] {
  return text.split(/(`[^`]+`|\[[^\]]+\]\([^)]+\))/g).map((part, i) => {
    if (part.startsWith("`") && part.endsWith("`")) return <code key={i}>{part.slice(1, -1)}</code>;
    const link = /^\[([^\]]+)\]\(([^)]+)\)$/.exec(part);
    if (link)
      return (
        <a key={i} href={link[2]} className="text-indigo-700 underline dark:text-indigo-300">
          {link[1]}
        </a>
      );
    return part;
  });
}

/** The descriptions' markdown: paragraphs and fenced code (a curl example gets a copy button). */
function Markdown({ text, what }: { text: string; what: string }) {
  const blocks = text.split(/```(?:\w+)?\n([\s\S]*?)```/g);
  return (
    <>
      {blocks.map((b, i) =>
        i % 2 === 1 ? (
          <Snippet key={i} text={b.trim()} label={`${what} example`} />
        ) : (
          b
            .split(/\n{2,}/)
            .map((p) => p.trim())
            .filter(Boolean)
            .map((p, k) => (
              <p key={`${i}-${k}`} className="text-sm leading-relaxed text-zinc-700 dark:text-zinc-300">
                {inline(p.replace(/^Example:$/, "Example:"))}
              </p>
            ))
        ),
      )}
    </>
  );
}

function Snippet({ text, label }: { text: string; label: string }) {
  return (
    <div className="space-y-1">
      <pre
        tabIndex={0}
        aria-label={label}
        className="overflow-x-auto rounded-md bg-zinc-900 p-3 text-xs text-zinc-100 dark:bg-black"
      >
        <code>{text}</code>
      </pre>
      <CopyButton text={text} label={label} />
    </div>
  );
}

const typeOf = (s: Json | undefined, doc: OpenApiDoc): string => {
  if (!s) return "";
  if (typeof s.$ref === "string") return s.$ref.split("/").at(-1)!;
  if (s.type === "array") return `${typeOf(s.items as Json, doc)}[]`;
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map((x) => typeOf(x, doc)).join(" | ");
  return String(s.type ?? "any");
};

/** A schema's top-level fields, following one $ref. */
function fieldsOf(schema: Json | undefined, doc: OpenApiDoc) {
  const resolved =
    schema && typeof schema.$ref === "string" ? doc.components.schemas[schema.$ref.split("/").at(-1)!] : schema;
  const props = (resolved?.properties ?? {}) as Record<string, Json>;
  const required = new Set((resolved?.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, p]) => ({
    name,
    type: typeOf(p, doc),
    required: required.has(name),
    description: typeof p.description === "string" ? p.description : "",
  }));
}

function FieldTable({
  rows,
  label,
}: {
  rows: Array<{ name: string; where?: string; type: string; required: boolean; description: string }>;
  label: string;
}) {
  return (
    <div className="overflow-x-auto" tabIndex={0} role="region" aria-label={label}>
      <table className="w-full text-left text-xs">
        <thead className="text-zinc-600 dark:text-zinc-300">
          <tr>
            <th scope="col" className="py-1 pr-3 font-medium">
              Name
            </th>
            <th scope="col" className="py-1 pr-3 font-medium">
              Type
            </th>
            <th scope="col" className="py-1 font-medium">
              Meaning
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.where ?? ""}${r.name}`} className="border-t border-zinc-200 align-top dark:border-zinc-800">
              <td className="py-1 pr-3 font-mono">
                {r.name}
                {r.required && <span className="text-rose-700 dark:text-rose-400"> *</span>}
                {r.where && <div className="text-zinc-600 dark:text-zinc-300">{r.where}</div>}
              </td>
              <td className="py-1 pr-3 font-mono">{r.type}</td>
              <td className="py-1 text-zinc-700 dark:text-zinc-300">{inline(r.description)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OperationView({ method, path, op, doc }: { method: string; path: string; op: Operation; doc: OpenApiDoc }) {
  const what = `${method.toUpperCase()} ${path}`;
  const auth = (op.security ?? []).flatMap((s) => Object.keys(s));
  const params = (op.parameters ?? []).map((p) => ({
    name: p.name,
    where: p.in,
    type: typeOf(p.schema, doc),
    required: !!p.required,
    description: p.description ?? "",
  }));
  const body = op.requestBody?.content["application/json"];
  return (
    <section
      id={op.operationId}
      aria-labelledby={`${op.operationId}-title`}
      className="space-y-3 rounded-lg border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900"
    >
      <h3 id={`${op.operationId}-title`} className="flex flex-wrap items-center gap-2 text-sm font-semibold">
        <span className={`rounded px-1.5 py-0.5 font-mono text-xs uppercase ${METHOD_TONE[method] ?? METHOD_TONE.get}`}>
          {method}
        </span>
        <span className="break-all font-mono">{path}</span>
        <span className="font-normal text-zinc-700 dark:text-zinc-300">{op.summary}</span>
      </h3>
      {auth.length > 0 && (
        <p className="text-xs text-zinc-700 dark:text-zinc-300">
          Needs:{" "}
          {auth.map((name, i) => (
            <span key={name}>
              {i > 0 && " and "}
              <a href={`#auth-${name}`} className="text-indigo-700 underline dark:text-indigo-300">
                {name}
              </a>
            </span>
          ))}
        </p>
      )}
      {op.description && <Markdown text={op.description} what={what} />}
      {params.length > 0 && <FieldTable rows={params} label={`${what} parameters`} />}
      {body && (
        <div className="space-y-2">
          <h4 className="text-xs font-semibold uppercase text-zinc-600 dark:text-zinc-300">JSON body</h4>
          {op.requestBody?.description && (
            <p className="text-xs text-zinc-700 dark:text-zinc-300">{op.requestBody.description}</p>
          )}
          <FieldTable rows={fieldsOf(body.schema, doc)} label={`${what} body fields`} />
          {body.example !== undefined && (
            <Snippet text={JSON.stringify(body.example, null, 2)} label={`${what} example body`} />
          )}
        </div>
      )}
      <div className="space-y-1">
        <h4 className="text-xs font-semibold uppercase text-zinc-600 dark:text-zinc-300">Answers</h4>
        <ul className="space-y-1 text-xs">
          {Object.entries(op.responses).map(([status, r]) => {
            const example = Object.values(r.content ?? {})[0]?.example;
            return (
              <li key={status}>
                <span className="font-mono font-semibold">{status}</span>{" "}
                <span className="text-zinc-700 dark:text-zinc-300">{r.description}</span>
                {example !== undefined && (
                  <details className="mt-1">
                    <summary className="cursor-pointer text-zinc-700 dark:text-zinc-300">Example</summary>
                    <pre className="mt-1 overflow-x-auto rounded bg-zinc-100 p-2 dark:bg-zinc-950">
                      {JSON.stringify(example, null, 2).slice(0, 4000)}
                    </pre>
                  </details>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </section>
  );
}

export function ApiDocs({ doc }: { doc: OpenApiDoc }) {
  const byTag = new Map<string, Array<{ method: string; path: string; op: Operation }>>();
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops as Record<string, Operation>)) {
      const tag = op.tags?.[0] ?? "Other";
      byTag.set(tag, [...(byTag.get(tag) ?? []), { method, path, op }]);
    }
  const tagId = (t: string) => `tag-${t.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <div className="mx-auto max-w-5xl space-y-6 p-4 sm:p-6">
      <header className="space-y-3">
        <nav aria-label="Subnet Console" className="flex gap-4 text-sm">
          <a href="/" className="text-indigo-700 underline dark:text-indigo-300">
            ← Dashboard
          </a>
          <a href="/openapi.json" className="text-indigo-700 underline dark:text-indigo-300">
            openapi.json
          </a>
          <a href="/metrics" className="text-indigo-700 underline dark:text-indigo-300">
            metrics
          </a>
        </nav>
        <h1 className="text-2xl font-semibold">{doc.info.title} API</h1>
        {doc.info.description && <Markdown text={doc.info.description} what="API" />}
      </header>
      <nav aria-label="Sections" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
        {[...byTag.keys()].map((t) => (
          <a key={t} href={`#${tagId(t)}`} className="text-indigo-700 underline dark:text-indigo-300">
            {t}
          </a>
        ))}
        <a href="#auth" className="text-indigo-700 underline dark:text-indigo-300">
          Authentication
        </a>
      </nav>
      {[...byTag.entries()].map(([tag, ops]) => (
        <section key={tag} id={tagId(tag)} aria-labelledby={`${tagId(tag)}-title`} className="space-y-3">
          <h2 id={`${tagId(tag)}-title`} className="text-lg font-semibold">
            {tag}
          </h2>
          {ops.map((o) => (
            <OperationView key={`${o.method} ${o.path}`} {...o} doc={doc} />
          ))}
        </section>
      ))}
      <section id="auth" aria-labelledby="auth-title" className="space-y-2">
        <h2 id="auth-title" className="text-lg font-semibold">
          Authentication
        </h2>
        <dl className="space-y-2 text-sm">
          {Object.entries(doc.components.securitySchemes).map(([name, s]) => (
            <div key={name} id={`auth-${name}`}>
              <dt className="font-mono font-semibold">{name}</dt>
              <dd className="text-zinc-700 dark:text-zinc-300">
                {s.type === "http" ? `Authorization: ${String(s.scheme)} <token>` : `${String(s.in)} ${String(s.name)}`}
                {typeof s.description === "string" && <>: {inline(s.description)}</>}
              </dd>
            </div>
          ))}
        </dl>
      </section>
    </div>
  );
}
