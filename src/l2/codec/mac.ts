// MAC addresses (IEEE 802 EUI-48) as lower-case colon text, the form `ip link` prints and logs use.
import { DecodeError } from '../../wire/index.ts';

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC = '00:00:00:00:00:00';

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

/** Canonical text of a MAC (accepts upper case and '-' separators); throws a RangeError naming `what`. */
export function parseMac(text: string, what = 'MAC address'): string {
  const t = text.trim().toLowerCase().replace(/-/g, ':');
  if (!MAC_RE.test(t))
    throw new RangeError(`${what}: "${text}" is not a MAC address (six hex octets, e.g. 02:00:00:00:00:01)`);
  return t;
}

const HEX = Array.from({ length: 256 }, (_, v) => v.toString(16).padStart(2, '0'));

export function readMac(b: Uint8Array, o: number): string {
  return `${HEX[b[o] as number]}:${HEX[b[o + 1] as number]}:${HEX[b[o + 2] as number]}:${HEX[b[o + 3] as number]}:${HEX[b[o + 4] as number]}:${HEX[b[o + 5] as number]}`;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Writes the six octets of `mac` (colon form on the hot path; other accepted forms via parseMac). */
export function writeMac(b: Uint8Array, o: number, mac: string): void {
  if (mac.length === 17) {
    let i = 0;
    for (; i < 6; i++) {
      const hi = hexValue(mac.charCodeAt(i * 3));
      const lo = hexValue(mac.charCodeAt(i * 3 + 1));
      if (hi < 0 || lo < 0 || (i < 5 && mac.charCodeAt(i * 3 + 2) !== 58)) break;
      b[o + i] = (hi << 4) | lo;
    }
    if (i === 6) return;
  }
  const t = parseMac(mac);
  for (let i = 0; i < 6; i++) b[o + i] = (hexValue(t.charCodeAt(i * 3)) << 4) | hexValue(t.charCodeAt(i * 3 + 1));
}

export function macBytes(mac: string): Uint8Array {
  const b = new Uint8Array(6);
  writeMac(b, 0, mac);
  return b;
}

/** True for group (multicast/broadcast) addresses: the I/G bit of the first octet. */
export function isGroupMac(mac: string): boolean {
  return (hexValue(mac.charCodeAt(1)) & 1) === 1;
}

export function checkMac(mac: string, where: string, offset: number): void {
  if (!MAC_RE.test(mac)) throw new DecodeError('bad-mac', `${where}: "${mac}" is not a MAC address`, offset);
}
