/**
 * The one error hierarchy. Services throw these; the REST wrapper and tRPC map them to each module's
 * wire format by `status`. They carry no HTTP objects.
 */
export type ErrorDetail = string | Array<{ field: string; message: string }>;

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly detail?: ErrorDetail,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, detail?: ErrorDetail) {
    super(400, "bad_request", message, detail);
  }
}
export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly issues: Array<{ field: string; message: string }>,
  ) {
    super(422, "validation_error", message, issues);
  }
}
export class UnauthorizedError extends AppError {
  constructor(message = "Unauthorized", scheme = "Bearer") {
    super(401, "unauthorized", message, undefined, { "www-authenticate": scheme });
  }
}
export class ForbiddenError extends AppError {
  constructor(message = "Forbidden") {
    super(403, "forbidden", message);
  }
}
export class NotFoundError extends AppError {
  constructor(message = "Not Found", detail?: ErrorDetail) {
    super(404, "not_found", message, detail);
  }
}
export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, "conflict", message);
  }
}
export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(413, "payload_too_large", `Request body too large (limit ${limit} bytes)`);
  }
}
export class LockedError extends AppError {
  constructor(message: string) {
    super(423, "locked", message);
  }
}
export class TooManyRequestsError extends AppError {
  constructor(message: string) {
    super(429, "too_many_requests", message);
  }
}
export class UnavailableError extends AppError {
  constructor(message: string) {
    super(503, "unavailable", message);
  }
}

/** Something this server depends on (a miner) failed or did not answer. */
export class BadGatewayError extends AppError {
  constructor(message: string, detail?: ErrorDetail) {
    super(502, "bad_gateway", message, detail);
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** A job's failure that running it again would repeat: its stored payload does not parse, say. */
export class PermanentError extends Error {}

/**
 * Whether a job that failed with `e` may succeed if run again. Outsiders' and the database's failures may
 * (miners, the chain, the network: 5xx, 408, 423, 429 and any error without a status); a request the service
 * refused (another 4xx: bad input, a row that is gone, a rule) or a PermanentError will not.
 */
export function worthRetrying(e: unknown): boolean {
  if (e instanceof PermanentError) return false;
  if (!isAppError(e)) return true;
  return e.status >= 500 || e.status === 408 || e.status === 423 || e.status === 429;
}
