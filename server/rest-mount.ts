/**
 * The handlers a REST route file re-exports for Next's mount: every method goes to the runtime's REST
 * dispatch, which answers 405 in the module's format for the methods a path does not have.
 */
import { restHandler } from "./runtime";

export {
  restHandler as GET,
  restHandler as POST,
  restHandler as PUT,
  restHandler as PATCH,
  restHandler as DELETE,
  restHandler as OPTIONS,
};
