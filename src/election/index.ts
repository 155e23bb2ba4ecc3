export { electBgp, electLayer2, type Election, type ElectionReason, type ServiceFacts } from './elect.ts';
export { endpointCanServe, nodesWithServingEndpoint, type EndpointFacts } from './endpoints.ts';
export { EXCLUDE_LABEL, nodeSkipReason, type NodeFacts, type NodeRules, type NodeSkipReason } from './nodes.ts';
export { orderCandidates } from './order.ts';
