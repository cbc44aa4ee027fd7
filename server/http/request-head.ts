/** What a REST route reads of a request besides its body: a Web Request is one; the custom server builds a lighter one. */
export type RequestHead = Pick<Request, "method" | "url" | "headers" | "signal">;
