// The keyring: one primary key (encrypts) and others accepted (decrypt only), so a key rotates without an
// outage: add the new key everywhere, make it primary everywhere, remove the old one. Keys are 32 octets
// (AES-256). The key file: one base64 key per line, the first is primary, '#' comments.
export class Keyring {
  #keys: Uint8Array[];

  constructor(keys: Uint8Array[]) {
    this.#keys = Keyring.check(keys);
  }

  static check(keys: Uint8Array[]): Uint8Array[] {
    keys.forEach((k, i) => {
      if (k.length !== 32) throw new Error(`keyring: key ${i + 1} has ${k.length} octets, AES-256 needs 32`);
    });
    return keys.map((k) => k.slice());
  }

  /** Replaces every key at once (the first is primary). */
  set(keys: Uint8Array[]): void {
    this.#keys = Keyring.check(keys);
  }

  get primary(): Uint8Array | undefined {
    return this.#keys[0];
  }

  /** Every key, primary first (the order to try when decrypting). */
  get all(): readonly Uint8Array[] {
    return this.#keys;
  }
}

/** Parses a key file's text; throws naming the line that is wrong. */
export function parseKeyFile(text: string, where: string): Uint8Array[] {
  const keys: Uint8Array[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(line)) throw new Error(`${where}:${i + 1}: not base64`);
    const k = new Uint8Array(Buffer.from(line, 'base64'));
    if (k.length !== 32) throw new Error(`${where}:${i + 1}: key has ${k.length} octets, expected 32 (AES-256)`);
    keys.push(k);
  });
  if (keys.length === 0) throw new Error(`${where}: no keys`);
  return keys;
}
