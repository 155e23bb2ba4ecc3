// Fixture for the lab's own test: builds a node/router lab with a daemon-like process inside, prints
// the namespace names, then dies with an uncaught error without tearing anything down. The lab's
// process-exit hook must remove the namespaces and kill the process anyway.
import { nodeRouterLab } from '../../../../src/lab/bgp/netns.ts';

const { lab, node, router } = await nodeRouterLab();
const sleeper = lab.spawn('sleeper', router.ns, ['sleep', '300']);
process.stdout.write(`${node.ns} ${router.ns} ${sleeper.child.pid}\n`);
throw new Error('fixture: dying on purpose without cleanup');
