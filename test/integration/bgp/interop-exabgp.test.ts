import { defineInteropSuite } from './lab/interop-suite.ts';

// ExaBGP as the router side: it connects out to FerroLB's listener; it has no graceful-restart
// helper role to check (it does not keep a routing table).
defineInteropSuite('exabgp', { showsStale: false, gracefulRestart: false });
