#!/usr/bin/env node
// CommonJS on purpose: see scripts/build.mjs.
require('../dist/hutch.cjs');
