// Errors of the HTTP/1.1 client and server, with stable codes (undici's style): what the peer sent that
// could not be read, a connection lost mid-message, a timeout.
export type HttpErrorCode =
  'bad-head' | 'head-too-large' | 'body-too-large' | 'bad-body' | 'unsupported' | 'closed' | 'timeout';

export class HttpError extends Error {
  readonly code: HttpErrorCode;
  constructor(code: HttpErrorCode, message: string) {
    super(message);
    this.name = code === 'timeout' ? 'TimeoutError' : 'HttpError';
    this.code = code;
  }
}
