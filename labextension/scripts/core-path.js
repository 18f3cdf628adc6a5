// The builder reads the JupyterLab core's package.json (its shared and singleton packages)
// from a folder. @jupyterlab/core-meta ships that file for one release, so the build needs
// neither an installed JupyterLab nor the network.
const fs = require('fs');
const path = require('path');

const source = require.resolve('@jupyterlab/core-meta/core.package.json');
const target = path.join(__dirname, '..', 'build', 'core');
fs.mkdirSync(target, { recursive: true });
fs.copyFileSync(source, path.join(target, 'package.json'));
