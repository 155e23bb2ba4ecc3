// RFC 5880 names and numbers for BFD control packets and session state.

/** bfd.SessionState (RFC 5880 §4.1 "Sta"): AdminDown 0, Down 1, Init 2, Up 3. */
export type BfdState = 'AdminDown' | 'Down' | 'Init' | 'Up';
export const STATE_CODES: Record<BfdState, number> = { AdminDown: 0, Down: 1, Init: 2, Up: 3 };
export const STATES: readonly BfdState[] = ['AdminDown', 'Down', 'Init', 'Up'];

/** Diagnostic codes (RFC 5880 §4.1 "Diag"). */
export const Diag = {
  NoDiagnostic: 0,
  ControlDetectionTimeExpired: 1,
  EchoFunctionFailed: 2,
  NeighborSignaledSessionDown: 3,
  ForwardingPlaneReset: 4,
  PathDown: 5,
  ConcatenatedPathDown: 6,
  AdministrativelyDown: 7,
  ReverseConcatenatedPathDown: 8,
} as const;
export type DiagCode = number;

export const DIAG_NAMES: Record<number, string> = {
  0: 'No Diagnostic',
  1: 'Control Detection Time Expired',
  2: 'Echo Function Failed',
  3: 'Neighbor Signaled Session Down',
  4: 'Forwarding Plane Reset',
  5: 'Path Down',
  6: 'Concatenated Path Down',
  7: 'Administratively Down',
  8: 'Reverse Concatenated Path Down',
};

/** Authentication section (RFC 5880 §4.2): kept as raw bytes after type and length. */
export interface BfdAuth {
  type: number;
  /** Bytes after Auth Type and Auth Len (Auth Len - 2 of them). */
  data: Uint8Array;
}

/** A BFD Control packet (RFC 5880 §4.1). Intervals are in microseconds, as on the wire. */
export interface ControlPacket {
  version: number;
  diag: DiagCode;
  state: BfdState;
  poll: boolean;
  final: boolean;
  controlPlaneIndependent: boolean;
  demand: boolean;
  multipoint: boolean;
  detectMult: number;
  myDiscriminator: number;
  yourDiscriminator: number;
  desiredMinTxInterval: number;
  requiredMinRxInterval: number;
  requiredMinEchoRxInterval: number;
  /** Present iff the A bit is set. */
  auth?: BfdAuth;
}

/** UDP destination port for single-hop BFD control packets (RFC 5881 §4). */
export const BFD_CONTROL_PORT = 3784;
/** UDP destination port for multihop BFD control packets (RFC 5883 §5). */
export const BFD_MULTIHOP_PORT = 4784;
/** Source ports MUST be in this range (RFC 5881 §4). */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;
/** Single-hop GTSM: packets are sent with, and must be received with, TTL / hop limit 255 (RFC 5881 §5). */
export const BFD_TTL = 255;
