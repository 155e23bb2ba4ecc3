// JSON text for any value a caller logs, without ever throwing: JSON.stringify first (the fast, common
// case), and only when it throws a careful walk where a circular reference (to an ancestor) becomes
// "[Circular]", a BigInt its decimal string, and a throwing toJSON or getter a placeholder naming the error.

/** JSON text for `value`, or undefined where JSON has no value (undefined, a function, a symbol). */
export function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    try {
      return walk(value, '', []);
    } catch (e) {
      return JSON.stringify(`[unserializable: ${describe(e)}]`);
    }
  }
}

function describe(e: unknown): string {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } catch {
    return 'unknown error';
  }
}

function walk(input: unknown, key: string, ancestors: object[]): string | undefined {
  let v = input;
  if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      try {
        v = toJSON.call(v, key);
      } catch (e) {
        return JSON.stringify(`[toJSON threw: ${describe(e)}]`);
      }
    }
  }
  if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf();
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return `"${v.toString()}"`;
    case 'object':
      break;
    default:
      return undefined; // undefined, function, symbol: left out, as JSON.stringify does
  }
  if (v === null) return 'null';
  if (ancestors.includes(v)) return '"[Circular]"';
  ancestors.push(v);
  try {
    if (Array.isArray(v)) {
      const items: string[] = [];
      for (let i = 0; i < v.length; i++) items.push(walk(read(v, i), String(i), ancestors) ?? 'null');
      return `[${items.join(',')}]`;
    }
    const fields: string[] = [];
    for (const k of Object.keys(v)) {
      const text = walk(read(v, k), k, ancestors);
      if (text !== undefined) fields.push(`${JSON.stringify(k)}:${text}`);
    }
    return `{${fields.join(',')}}`;
  } finally {
    ancestors.pop();
  }
}

/** A property's value; a throwing getter becomes a placeholder string. */
function read(o: object, k: string | number): unknown {
  try {
    return (o as Record<string | number, unknown>)[k];
  } catch (e) {
    return `[getter threw: ${describe(e)}]`;
  }
}
