// Global setup of the integration tier: it needs root (network namespaces, veth, nftables, raw sockets,
// Debian packages). Where that is missing the tier fails loudly instead of skipping.
export function setup(): void {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'INTEGRATION TIER CANNOT RUN: it needs root (network namespaces, nftables, apt). ' +
        'Run the tests as root (CI does), e.g. `sudo npm test`.',
    );
  }
}
