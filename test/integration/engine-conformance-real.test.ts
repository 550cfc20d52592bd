// The EngineApi conformance suite against the real engine: root, real containers on
// the `host` image, in a sandbox of its own (state root and cgroup parent). The fake
// the CLI and dashboard tests use passes the same suite
// (test/unit/engine-conformance-fake.test.ts).
import { engineConformance } from '../support/engine-conformance.js';
import { sandbox } from './helpers.js';

engineConformance('the engine (real containers)', async () => {
  const sb = await sandbox();
  return { engine: sb.engine, cleanup: () => sb.cleanup() };
});
