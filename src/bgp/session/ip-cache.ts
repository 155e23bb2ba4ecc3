// Next-hop texts repeat across thousands of routes: a parser that parses each text once. Bounded: past
// 1024 distinct texts it starts again (a session has a handful of next hops).
import type { Ip } from '../../net/ip.ts';
import { parseIp } from '../../net/ip.ts';

export function cachedIpParser(): (text: string) => Ip | undefined {
  const cache = new Map<string, Ip | undefined>();
  return (text) => {
    let ip = cache.get(text);
    if (ip === undefined && !cache.has(text)) {
      ip = parseIp(text);
      if (cache.size > 1024) cache.clear();
      cache.set(text, ip);
    }
    return ip;
  };
}
