// The ssh stand-in, for the tests that import it from here (the tmux e2e test): it
// lives in test/support/ssh-standin.ts with the bench's.
export { SSH_STANDIN } from '../support/ssh-standin.js';
