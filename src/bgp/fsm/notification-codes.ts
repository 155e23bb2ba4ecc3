// NOTIFICATION error codes and subcodes used by the FSM and session (RFC 4271 §4.5, RFC 6608, RFC 4486).

export const ERR_HEADER = 1;
export const ERR_OPEN = 2;
export const ERR_UPDATE = 3;
export const ERR_HOLD_TIMER_EXPIRED = 4;
export const ERR_FSM = 5;
export const ERR_CEASE = 6;

export const OPEN_UNSUPPORTED_VERSION = 1;
export const OPEN_BAD_PEER_AS = 2;
export const OPEN_BAD_BGP_ID = 3;
export const OPEN_UNACCEPTABLE_HOLD_TIME = 6;

/** RFC 6608 FSM error subcodes: unexpected message in OpenSent / OpenConfirm / Established. */
export const FSM_UNEXPECTED_IN_OPENSENT = 1;
export const FSM_UNEXPECTED_IN_OPENCONFIRM = 2;
export const FSM_UNEXPECTED_IN_ESTABLISHED = 3;

/** RFC 4486 Cease subcodes. */
export const CEASE_PEER_DECONFIGURED = 3;
export const CEASE_ADMINISTRATIVE_SHUTDOWN = 2;
export const CEASE_ADMINISTRATIVE_RESET = 4;
export const CEASE_CONNECTION_REJECTED = 5;
export const CEASE_OTHER_CONFIGURATION_CHANGE = 6;
export const CEASE_COLLISION_RESOLUTION = 7;
