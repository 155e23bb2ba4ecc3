import { defineInteropSuite } from './lab/interop-suite.ts';

defineInteropSuite('bird', { showsStale: true, gracefulRestart: true });
