/**
 * The client's address as this server saw it (the socket's), carried to route handlers in a header that the
 * server sets on every request: whatever a client sends under this name is replaced, never trusted.
 */
export const CLIENT_ADDRESS_HEADER = "x-subnet-console-client";
