import { defineInteropSuite } from './lab/interop-suite.ts';

defineInteropSuite('frr', { showsStale: true, gracefulRestart: true });
