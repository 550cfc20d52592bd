#!/usr/bin/env node
import '../dist/hutch.js';
