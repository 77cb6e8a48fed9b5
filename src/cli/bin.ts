#!/usr/bin/env node
/* eslint-disable @typescript-eslint/no-require-imports */
// Every command starts a fresh process, and most of its start-up is compiling JavaScript:
// v8-compile-cache keeps V8's compiled code between runs (about half the cold start here).
// It must be loaded before any other module, hence a plain require first.
require('v8-compile-cache');
(require('./main') as typeof import('./main')).main();
