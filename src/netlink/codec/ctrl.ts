// The generic netlink controller (family id GENL_ID_CTRL): CTRL_CMD_GETFAMILY by name answers with
// CTRL_CMD_NEWFAMILY carrying the family's id, version and largest attribute type.
import { DecodeError } from '../../wire/index.ts';
import type { GenlMessage } from './genl.ts';
import { attrsByType, attrString, readAttrString, readAttrU16, readAttrU32 } from './nlattr.ts';

export const GENL_ID_CTRL = 0x10;
export const CTRL_CMD_NEWFAMILY = 1;
export const CTRL_CMD_GETFAMILY = 3;
export const CTRL_ATTR_FAMILY_ID = 1;
export const CTRL_ATTR_FAMILY_NAME = 2;
export const CTRL_ATTR_VERSION = 3;
export const CTRL_ATTR_HDRSIZE = 4;
export const CTRL_ATTR_MAXATTR = 5;

export interface GenlFamily {
  id: number;
  name: string;
  version: number;
  maxAttr: number;
}

export function getFamilyRequest(name: string): GenlMessage {
  return { cmd: CTRL_CMD_GETFAMILY, version: 1, attrs: [attrString(CTRL_ATTR_FAMILY_NAME, name)] };
}

export function decodeFamily(m: GenlMessage): GenlFamily {
  if (m.cmd !== CTRL_CMD_NEWFAMILY)
    throw new DecodeError('ctrl-unexpected-command', `genl controller: command ${m.cmd}, expected NEWFAMILY (1)`);
  const a = attrsByType(m.attrs);
  const id = a.get(CTRL_ATTR_FAMILY_ID);
  const name = a.get(CTRL_ATTR_FAMILY_NAME);
  if (!id || !name) throw new DecodeError('ctrl-missing-attribute', 'genl controller: family without id or name');
  const version = a.get(CTRL_ATTR_VERSION);
  const maxAttr = a.get(CTRL_ATTR_MAXATTR);
  return {
    id: readAttrU16(id, 'CTRL_ATTR_FAMILY_ID'),
    name: readAttrString(name),
    version: version ? readAttrU32(version, 'CTRL_ATTR_VERSION') : 0,
    maxAttr: maxAttr ? readAttrU32(maxAttr, 'CTRL_ATTR_MAXATTR') : 0,
  };
}
