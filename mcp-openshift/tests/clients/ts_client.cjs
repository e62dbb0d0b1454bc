// LibreChat's client library (the official TypeScript SDK) against our server.
// Usage: node ts_client.cjs <sse|http> <url> <namespace> <pod> <container>
// Prints one JSON line: {"tools": [...names], "log": "<pods_log text>", "isError": bool,
// "prompts": [...names], "health": "<cluster-health-check text for the namespace>"}.
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { SSEClientTransport } = require("@modelcontextprotocol/sdk/client/sse.js");
const { StreamableHTTPClientTransport } = require("@modelcontextprotocol/sdk/client/streamableHttp.js");

async function main() {
  const [kind, url, namespace, name, container] = process.argv.slice(2);
  const transport = kind === "sse" ? new SSEClientTransport(new URL(url)) : new StreamableHTTPClientTransport(new URL(url));
  const client = new Client({ name: "ts-sdk-test", version: "1.0.0" });
  await client.connect(transport);
  const tools = await client.listTools();
  const result = await client.callTool({ name: "pods_log", arguments: { namespace, name, container, tail: 1 } });
  const log = result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
  const prompts = await client.listPrompts();
  const health = await client.getPrompt({ name: "cluster-health-check", arguments: { namespace } });
  const healthText = health.messages.map((m) => m.content.text).join("\n");
  console.log(JSON.stringify({ tools: tools.tools.map((t) => t.name), log, isError: !!result.isError,
    prompts: prompts.prompts.map((p) => p.name), health: healthText }));
  await client.close();
}

const timer = setTimeout(() => { console.error("timed out"); process.exit(2); }, 20000);
main().then(() => { clearTimeout(timer); process.exit(0); }, (e) => { console.error(e); process.exit(1); });
