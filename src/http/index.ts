export {
  HttpClient,
  type ClientTls,
  type HttpClientOptions,
  type HttpRequestSpec,
  type InFlight,
  type ResponseHandler,
} from './client.ts';
export { HttpError, type HttpErrorCode } from './errors.ts';
export type { ResponseHead } from './head.ts';
export {
  serveHttp,
  type HttpHandler,
  type HttpRequest,
  type HttpResponse,
  type HttpServer,
  type ServeOptions,
} from './server.ts';
