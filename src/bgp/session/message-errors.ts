// What a received message that cannot be decoded, or a peer's NOTIFICATION, means to the FSM (pure):
// the event to dispatch and the reason the session reports when it goes down.
import type { Notification } from '../codec/model.ts';
import { isBgpError } from '../errors.ts';
import type { FsmEvent } from '../fsm/index.ts';

export interface DecodeFailure {
  /** The message type from the header (frame[18]). */
  type: number | undefined;
  code: number;
  subcode: number;
  event: FsmEvent;
  why: string;
}

/**
 * A frame the codec rejected with `err`: a NOTIFICATION that is malformed ends the session as one
 * received; a header error (code 1) is a header error whatever the type; then OPEN and UPDATE errors.
 */
export function decodeFailure(frame: Uint8Array, err: unknown): DecodeFailure {
  const type = frame[18];
  const e = isBgpError(err) ? err : undefined;
  const code = e?.code ?? 1;
  const subcode = e?.subcode ?? 0;
  const data = e?.data ?? new Uint8Array(0);
  const why = `malformed message (type ${type}): ${(err as Error)?.message ?? String(err)}`;
  let event: FsmEvent;
  if (type === 3) event = { type: 'NotifMsg' };
  else if (code === 1) event = { type: 'BGPHeaderErr', code, subcode, data };
  else if (type === 1) event = { type: 'BGPOpenMsgErr', code, subcode, data };
  else event = { type: 'UpdateMsgErr', code, subcode, data };
  return { type, code, subcode, event, why };
}

/** A peer's NOTIFICATION: version error (2/1) or any other, and the reason text (with RFC 8203 text). */
export function notificationReceived(msg: Notification): { event: FsmEvent; why: string } {
  const text = msg.shutdownCommunication ? ` "${msg.shutdownCommunication}"` : '';
  const why = `peer sent NOTIFICATION ${msg.code}/${msg.subcode}${text}`;
  return { event: msg.code === 2 && msg.subcode === 1 ? { type: 'NotifMsgVerErr' } : { type: 'NotifMsg' }, why };
}
