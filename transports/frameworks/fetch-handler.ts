/**
 * A fetch handler as the framework adapters take it: `createGrpcWebHandler`,
 * `createConnectHandler` and `createRestHandler` all return one.
 */
export type FetchHandler = (request: Request, info?: unknown) => Promise<Response>;
