// Starts `mlpc lsp` for .mlp files: every feature comes from the language server.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration('mlpc');
  const target = config.get('target');
  client = new LanguageClient(
    'mlpc',
    'mlpc',
    { command: config.get('path', 'mlpc'), args: ['lsp'] },
    {
      documentSelector: [
        { scheme: 'file', language: 'mlp' },
        { scheme: 'untitled', language: 'mlp' },
      ],
      initializationOptions: target ? { target } : {},
      // A config or code file a pipeline reads changed: the server checks again.
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{json,py}') },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
