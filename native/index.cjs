'use strict';
// Loads the addon and tells where the monitor executable is. Both are built by
// node-gyp when `npm install` runs in the repository (this is a workspace package).
const path = require('node:path');
const buildDir = path.join(__dirname, 'build', 'Release');
module.exports = {
  addon: require(path.join(buildDir, 'hutch_native.node')),
  monitorPath: path.join(buildDir, 'hutch-monitor'),
};
