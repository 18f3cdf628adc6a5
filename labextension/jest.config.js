const jestJupyterLab = require('@jupyterlab/testutils/lib/jest-config');

// JupyterLab and CodeMirror ship ES modules: babel transforms them for jest.
const esModules = [
  '@codemirror',
  '@jupyter/',
  '@microsoft/',
  'exenv-es6',
  'marked',
  '@jupyterlab/',
  '@lezer',
  'lib0',
  'nanoid',
  'vscode-ws-jsonrpc',
  'y-protocols',
  'y-websocket',
  'yjs'
].join('|');

const baseConfig = jestJupyterLab(__dirname);

module.exports = {
  ...baseConfig,
  automock: false,
  testRegex: 'src/.*/.*.spec.ts$',
  transformIgnorePatterns: [`/node_modules/(?!${esModules}).+`]
};
