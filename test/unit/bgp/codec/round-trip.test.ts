// The one generic round-trip test every wire type passes: encode → decode → deep equal; length() equals
// the octets written; encoding again at a non-zero offset writes the same octets.
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_TABLE } from '../../../../src/bgp/codec/attributes/table.ts';
import { CAPABILITY_TABLE } from '../../../../src/bgp/codec/capabilities/capability.ts';
import { MESSAGE_TABLE } from '../../../../src/bgp/codec/message.ts';
import { ATTRIBUTES, CAPABILITIES, FIXTURES, MESSAGES } from './fixtures.ts';
import { expectRoundTrip } from '../../../helpers/codec-roundtrip.ts';

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
    expectRoundTrip(f.codec, f.value, f.ctx);
  });
});
