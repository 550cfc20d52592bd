// The EngineApi conformance suite without root, against:
// - the fake engine the CLI and dashboard tests use (test/support/fake-engine.ts);
// - the real engine over FakeNative, the fake cgroup kernel and the scripted monitor
//   (test/support/fake-host.ts), which holds those fakes to the same contract.
// test/integration/engine-conformance-real.test.ts runs the same suite on the real
// engine with real containers.
import { engineConformance } from '../support/engine-conformance.js';
import { FakeEngine } from '../support/fake-engine.js';
import { openFakeHost } from '../support/fake-host.js';

engineConformance('the fake engine (test/support/fake-engine.ts)', async () => ({ engine: new FakeEngine(), cleanup: async () => {} }));

engineConformance('the engine over FakeNative, the fake cgroup kernel and the scripted monitor', openFakeHost);
