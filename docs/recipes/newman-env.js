#!/usr/bin/env node
// Run a Postman collection with newman, its variables read from this process's environment
// (newman's own CLI takes them only as --env-var arguments, which every local user can read
// in the process list). Made for `keywright run`:
//
//   keywright run --env-file .env.tpl -- node newman-env.js shop.postman_collection.json API_TOKEN BASE_URL
//
// The arguments after the collection NAME the variables (never their values); each becomes
// a Postman environment variable of that name, so the collection says {{API_TOKEN}}.
// newman must be resolvable from here: `npm install newman` in the project, or
// NODE_PATH=$(npm root -g) with a global install. Exit code: 0 when every request and test
// passed, 1 otherwise.
'use strict';

const newman = require('newman');

const [collection, ...names] = process.argv.slice(2);
if (!collection) {
  console.error('usage: node newman-env.js COLLECTION.json [VARIABLE ...]');
  process.exit(2);
}
const missing = names.filter((n) => process.env[n] === undefined);
if (missing.length > 0) {
  console.error(`newman-env: not in the environment: ${missing.join(', ')}`);
  process.exit(2);
}
newman.run(
  {
    collection: require('path').resolve(collection),
    environment: {
      name: 'process environment',
      values: names.map((key) => ({ key, value: process.env[key], type: 'secret', enabled: true })),
    },
    reporters: 'cli',
  },
  (err, summary) => {
    if (err) {
      console.error(`newman-env: ${err.message}`);
      process.exit(1);
    }
    const failed = summary.run.failures.length + (summary.run.error ? 1 : 0);
    process.exit(failed === 0 ? 0 : 1);
  },
);
