"""The Python `mcp` SDK client over both transports, with the same config and output as
librechat_client.mjs: {"mcpServers": {name: {type, url}}, "calls": [{server, tool, arguments}]}.

usage: python python_client.py <config.json>
"""
import asyncio
import json
import sys
from contextlib import AsyncExitStack

from mcp import ClientSession
from mcp.client.sse import sse_client
from mcp.client.streamable_http import streamable_http_client


async def main(path):
    with open(path, encoding="utf-8") as f:
        config = json.load(f)
    async with AsyncExitStack() as stack:
        sessions, tools, results = {}, {}, []
        for name, server in config["mcpServers"].items():
            if server["type"] == "sse":
                streams = await stack.enter_async_context(sse_client(server["url"]))
            elif server["type"] == "streamable-http":
                streams = await stack.enter_async_context(streamable_http_client(server["url"]))
            else:
                raise ValueError(f"unsupported type {server['type']}")
            session = await stack.enter_async_context(ClientSession(streams[0], streams[1]))
            await session.initialize()
            await session.send_ping()
            tools[name] = [t.name for t in (await session.list_tools()).tools]
            sessions[name] = session
        for call in config["calls"]:
            result = await sessions[call["server"]].call_tool(call["tool"], call["arguments"])
            text = "\n".join(c.text for c in result.content if c.type == "text")
            results.append({"server": call["server"], "tool": call["tool"], "isError": bool(getattr(result, "is_error", None) or getattr(result, "isError", None)), "text": text})
    print(json.dumps({"tools": tools, "results": results}))


asyncio.run(main(sys.argv[1]))
