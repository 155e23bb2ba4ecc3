// BGP errors that carry their protocol meaning: the NOTIFICATION code/subcode/data a session would send
// (RFC 4271 §4.5, §6) and the RFC 7606 §2 error-handling approach that applies.
//
// Approaches, ordered by strength (RFC 7606 §3 (h): when several errors are found in one UPDATE, the
// strongest approach wins):
//   attribute-discard  < treat-as-withdraw  < session-reset
// ("AFI/SAFI disable" of RFC 4760 §7 / RFC 7606 §2 is not implemented: it is replaced by session-reset,
// which RFC 7606 §7.11 allows.)

export type ErrorHandling = 'attribute-discard' | 'treat-as-withdraw' | 'session-reset';

export const HANDLING_STRENGTH: Readonly<Record<ErrorHandling, number>> = {
  'attribute-discard': 1,
  'treat-as-withdraw': 2,
  'session-reset': 3,
};

/** The stronger of two approaches (RFC 7606 §3 (h)). */
export function strongerHandling(a: ErrorHandling, b: ErrorHandling): ErrorHandling {
  return HANDLING_STRENGTH[a] >= HANDLING_STRENGTH[b] ? a : b;
}

/** NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313 §5, RFC 9687 §3). */
export const ErrorCode = {
  MessageHeader: 1,
  OpenMessage: 2,
  UpdateMessage: 3,
  HoldTimerExpired: 4,
  FiniteStateMachine: 5,
  Cease: 6,
  RouteRefreshMessage: 7,
  /** RFC 9687 §3: the peer read nothing of what we sent for the send hold time (no subcode). */
  SendHoldTimerExpired: 8,
} as const;

/** Message Header Error subcodes (RFC 4271 §4.5). */
export const HeaderSubcode = {
  ConnectionNotSynchronized: 1,
  BadMessageLength: 2,
  BadMessageType: 3,
} as const;

/** OPEN Message Error subcodes (RFC 4271 §4.5, RFC 5492 §5). 0 is used for malformed bodies. */
export const OpenSubcode = {
  Unspecific: 0,
  UnsupportedVersionNumber: 1,
  BadPeerAs: 2,
  BadBgpIdentifier: 3,
  UnsupportedOptionalParameter: 4,
  UnacceptableHoldTime: 6,
  UnsupportedCapability: 7,
} as const;

/** UPDATE Message Error subcodes (RFC 4271 §4.5). */
export const UpdateSubcode = {
  MalformedAttributeList: 1,
  UnrecognizedWellKnownAttribute: 2,
  MissingWellKnownAttribute: 3,
  AttributeFlagsError: 4,
  AttributeLengthError: 5,
  InvalidOriginAttribute: 6,
  InvalidNextHopAttribute: 8,
  OptionalAttributeError: 9,
  InvalidNetworkField: 10,
  MalformedAsPath: 11,
} as const;

/** Finite State Machine Error subcodes (RFC 6608): an unexpected message in OpenSent / OpenConfirm / Established. */
export const FsmSubcode = {
  UnspecifiedError: 0,
  UnexpectedMessageInOpenSent: 1,
  UnexpectedMessageInOpenConfirm: 2,
  UnexpectedMessageInEstablished: 3,
} as const;

/** Cease subcodes (RFC 4486). */
export const CeaseSubcode = {
  MaximumNumberOfPrefixesReached: 1,
  AdministrativeShutdown: 2,
  PeerDeConfigured: 3,
  AdministrativeReset: 4,
  ConnectionRejected: 5,
  OtherConfigurationChange: 6,
  ConnectionCollisionResolution: 7,
  OutOfResources: 8,
  HardReset: 9,
} as const;

/** ROUTE-REFRESH Message Error subcodes (RFC 7313 §5). */
export const RouteRefreshSubcode = {
  InvalidMessageLength: 1,
} as const;

export interface BgpErrorOptions {
  /** NOTIFICATION data (e.g. the erroneous attribute: flags, type, length, value). */
  data?: Uint8Array;
  /** RFC 7606 approach; session-reset unless given. */
  handling?: ErrorHandling;
  /** Path attribute type code the error is about, when it is about one. */
  attributeCode?: number;
}

/**
 * A decoding (or protocol) error. `message` says where and why; code/subcode/data are what a NOTIFICATION
 * would carry; `handling` is the RFC 7606 approach. Only 'session-reset' errors are thrown out of
 * decodeMessage: weaker ones are reported on the decoded UPDATE.
 */
export class BgpError extends Error {
  override readonly name = 'BgpError';
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  readonly handling: ErrorHandling;
  readonly attributeCode: number | undefined;

  constructor(code: number, subcode: number, message: string, options: BgpErrorOptions = {}) {
    // No stack trace: these describe bad input, located by the message, and a stack would be most of the
    // cost of rejecting a malformed message (a third of the fuzz test's time).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.code = code;
    this.subcode = subcode;
    this.data = options.data ?? new Uint8Array(0);
    this.handling = options.handling ?? 'session-reset';
    this.attributeCode = options.attributeCode;
  }

  /** The same error with another handling (e.g. when RFC 7606 downgrades a per-attribute error). */
  withHandling(handling: ErrorHandling): BgpError {
    return new BgpError(this.code, this.subcode, this.message, {
      data: this.data,
      handling,
      ...(this.attributeCode === undefined ? {} : { attributeCode: this.attributeCode }),
    });
  }
}

export function isBgpError(e: unknown): e is BgpError {
  return e instanceof BgpError;
}

// Factories for the errors a session raises itself (the codec cannot know the configured peer AS, or
// which capabilities the session insists on).

export function badPeerAs(message: string): BgpError {
  return new BgpError(ErrorCode.OpenMessage, OpenSubcode.BadPeerAs, message);
}

/** RFC 5492 §5: data lists the capabilities that caused the error (code, length, value each). */
export function unsupportedCapability(message: string, capabilities: Uint8Array): BgpError {
  return new BgpError(ErrorCode.OpenMessage, OpenSubcode.UnsupportedCapability, message, { data: capabilities });
}
