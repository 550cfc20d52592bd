// The EngineApi conformance suite against the fake engine the CLI and dashboard tests
// use (no root): whatever it answers, the real engine answers too
// (test/integration/engine-conformance-real.test.ts runs the same suite).
import { engineConformance } from '../support/engine-conformance.js';
import { FakeEngine } from '../support/fake-engine.js';

engineConformance('the fake (test/support/fake-engine.ts)', async () => ({ engine: new FakeEngine(), cleanup: async () => {} }));
