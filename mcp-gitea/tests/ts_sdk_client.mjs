// Connects to gitea-mcp with the official TypeScript MCP SDK (the client LibreChat uses)
// over streamable HTTP, lists the tools and creates an issue. Driven by tests/it/ts_sdk.rs.
// Env: NODE_PATH (where @modelcontextprotocol/sdk is installed), MCP_URL, GITEA_TOKEN,
// OWNER, REPO, TITLE. Prints one JSON line with what it saw.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const nodePath = (process.env.NODE_PATH || '').split(':')[0];
const require = createRequire(join(nodePath, 'resolve-from-here.js'));
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');

const transport = new StreamableHTTPClientTransport(new URL(process.env.MCP_URL), {
  requestInit: { headers: { Authorization: `Bearer ${process.env.GITEA_TOKEN}` } },
});
const client = new Client({ name: 'ts-sdk-test', version: '1.0.0' });
await client.connect(transport);
const { tools } = await client.listTools();
const me = await client.callTool({ name: 'get_me', arguments: {} });
const created = await client.callTool({
  name: 'issue_write',
  arguments: { method: 'create', owner: process.env.OWNER, repo: process.env.REPO, title: process.env.TITLE },
});
console.log(JSON.stringify({
  server: client.getServerVersion(),
  tools: tools.map((t) => t.name),
  me: me.content[0].text,
  created: created.content[0].text,
  isError: created.isError ?? false,
}));
await client.close();
