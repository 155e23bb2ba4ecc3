import { defineInteropSuite } from './lab/interop-suite.ts';

defineInteropSuite('gobgp', { showsStale: true, gracefulRestart: true });
