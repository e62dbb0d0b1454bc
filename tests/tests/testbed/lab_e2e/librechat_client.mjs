// LibreChat's MCP client, reduced to what matters on the wire: the official TypeScript SDK
// with the transports LibreChat picks from an `mcpServers` block (`sse` -> SSEClientTransport,
// `streamable-http` -> StreamableHTTPClientTransport), client name `@librechat/api-client`,
// empty capabilities, connect + ping + tools/list, then the given tool calls.
//
// usage: node librechat_client.mjs <npm dir> <config.json>
// config: {"mcpServers": {name: {type, url}}, "calls": [{server, tool, arguments}]}
// prints one JSON object: {tools: {server: [names]}, results: [{server, tool, isError, text}]}
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [npmDir, configPath] = process.argv.slice(2);
const sdk = (p) => import(pathToFileURL(`${npmDir}/node_modules/@modelcontextprotocol/sdk/dist/esm/${p}`).href);
const { Client } = await sdk("client/index.js");
const { SSEClientTransport } = await sdk("client/sse.js");
const { StreamableHTTPClientTransport } = await sdk("client/streamableHttp.js");

const config = JSON.parse(readFileSync(configPath, "utf8"));
const clients = {};
const tools = {};
for (const [name, server] of Object.entries(config.mcpServers)) {
  const url = new URL(server.url);
  let transport;
  if (server.type === "sse") transport = new SSEClientTransport(url);
  else if (server.type === "streamable-http") transport = new StreamableHTTPClientTransport(url);
  else throw new Error(`unsupported type ${server.type}`);
  const client = new Client({ name: "@librechat/api-client", version: "1.2.3" }, { capabilities: {} });
  await client.connect(transport);
  await client.ping();
  tools[name] = (await client.listTools()).tools.map((t) => t.name);
  clients[name] = client;
}
const results = [];
for (const call of config.calls) {
  const result = await clients[call.server].callTool({ name: call.tool, arguments: call.arguments });
  const text = result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
  results.push({ server: call.server, tool: call.tool, isError: result.isError === true, text });
}
for (const client of Object.values(clients)) await client.close();
console.log(JSON.stringify({ tools, results }));
