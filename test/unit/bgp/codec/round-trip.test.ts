// The one generic round-trip test every wire type passes: encode → decode → deep equal; length() equals
// the octets written; encoding again at a non-zero offset writes the same octets.
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_TABLE } from '../../../../src/bgp/codec/attributes/table.ts';
import { CAPABILITY_TABLE } from '../../../../src/bgp/codec/capabilities/capability.ts';
import { MESSAGE_TABLE } from '../../../../src/bgp/codec/message.ts';
import { ATTRIBUTES, CAPABILITIES, FIXTURES, MESSAGES } from './fixtures.ts';

describe('round trip', () => {
  it('has fixtures for every message, attribute and capability type', () => {
    const msgTypes = new Set(MESSAGES.map((m) => m.value.type));
    expect([...msgTypes].sort()).toEqual(Object.keys(MESSAGE_TABLE).sort());
    const attrTypes = new Set(ATTRIBUTES.map((a) => a.value.type));
    expect([...attrTypes].sort()).toEqual([...Object.keys(ATTRIBUTE_TABLE), 'UNKNOWN'].sort());
    const capTypes = new Set(CAPABILITIES.map((c) => c.value.type));
    expect([...capTypes].sort()).toEqual([...Object.keys(CAPABILITY_TABLE), 'UNKNOWN'].sort());
  });

  it.each(FIXTURES.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const n = f.codec.length(f.value, f.ctx);
    const buf = new Uint8Array(n);
    const written = f.codec.encode(f.value, buf, 0, f.ctx);
    expect(written).toBe(n);

    const decoded = f.codec.decode(buf, 0, f.ctx);
    expect(decoded.bytesRead).toBe(n);
    expect(decoded.value).toEqual(f.value);

    const offset = 7;
    const shifted = new Uint8Array(offset + n + 5).fill(0xa5);
    expect(f.codec.encode(decoded.value, shifted, offset, f.ctx)).toBe(n);
    expect(shifted.subarray(offset, offset + n)).toEqual(buf);
    expect(shifted[offset - 1]).toBe(0xa5);
    expect(shifted[offset + n]).toBe(0xa5);
    const again = f.codec.decode(shifted.subarray(0, offset + n), offset, f.ctx);
    expect(again.value).toEqual(f.value);
  });
});
