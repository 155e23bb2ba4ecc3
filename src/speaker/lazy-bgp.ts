// The BGP speaker, loaded when first needed: a node with no BGPPeer (Layer 2 only, the common case) never
// loads src/bgp's sessions, FSM, codecs and BFD (~1.8 MiB of the speaker's idle RSS, measured with
// `FAILOVER_ONLY=rss npm run bench -- failover`). The first configuration naming a peer, or a BGP listener
// asked for, loads it; what was set before (node, configuration, announcements, start) is replayed, and a
// stop that comes while it loads waits for it. Once loaded, every call goes straight through.
import type { Announcement, BgpSpeaker, NodeInfo } from '../bgp/speaker/index.ts';
import type { BgpConfig, BgpPort } from './ports.ts';

export interface LazyBgpOptions {
  /** Imports and builds the real speaker (called at most once). */
  load: () => Promise<BgpSpeaker>;
  /** Load at once (e.g. a BGP listener for passive peers must listen before any peer is configured). */
  eager?: boolean;
  /** The load failed: BGP stays off (logged by the caller). */
  onError: (err: unknown) => void;
}

export class LazyBgp implements BgpPort {
  readonly #opts: LazyBgpOptions;
  #speaker: BgpSpeaker | undefined;
  #loading: Promise<BgpSpeaker | undefined> | undefined;
  #node: NodeInfo | undefined;
  #config: BgpConfig | undefined;
  #ips: Announcement[] | undefined;
  #started = false;
  #stopped = false;

  constructor(opts: LazyBgpOptions) {
    this.#opts = opts;
    if (opts.eager) void this.#load();
  }

  /** Whether the real speaker is loaded (or loading). */
  get loaded(): boolean {
    return this.#loading !== undefined;
  }

  /** The real speaker's sessions; none before it is loaded. */
  sessions(): ReturnType<BgpSpeaker['sessions']> {
    return this.#speaker?.sessions() ?? new Map();
  }

  setNode(node: NodeInfo): void {
    this.#node = node;
    this.#speaker?.setNode(node);
  }

  setConfig(config: BgpConfig): void {
    this.#config = config;
    if (this.#speaker) this.#speaker.setConfig(config);
    else if (config.peers.length > 0) void this.#load();
  }

  setAnnouncements(ips: Announcement[]): void {
    this.#ips = ips;
    this.#speaker?.setAnnouncements(ips);
  }

  async start(): Promise<void> {
    this.#started = true;
    await this.#speaker?.start();
  }

  async stop(opts: { restart?: boolean } = {}): Promise<void> {
    this.#stopped = true;
    const s = this.#speaker ?? (await this.#loading);
    await s?.stop(opts);
  }

  #load(): Promise<BgpSpeaker | undefined> {
    this.#loading ??= this.#opts.load().then(
      async (s) => {
        if (this.#node) s.setNode(this.#node);
        if (this.#config) s.setConfig(this.#config);
        if (this.#ips) s.setAnnouncements(this.#ips);
        this.#speaker = s;
        if (this.#started && !this.#stopped) await s.start();
        return s;
      },
      (err: unknown) => {
        this.#opts.onError(err);
        return undefined;
      },
    );
    return this.#loading;
  }
}
