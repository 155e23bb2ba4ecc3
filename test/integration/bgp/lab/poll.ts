// The lab polls with the same bounded waits as the API server harness.
export { sleep, staysFalse, waitFor, type PollOptions } from '../../harness/poll.ts';
