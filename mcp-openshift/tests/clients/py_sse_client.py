"""The Python `mcp` package's legacy SSE client against our server.

Usage: python py_sse_client.py <sse-url> <namespace> <pod> <container>
Prints one JSON line: {"tools": [...names], "log": "<pods_log text>", "isError": bool}.
"""
import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.sse import sse_client


async def main(url, namespace, pod, container):
    async with sse_client(url, timeout=10, sse_read_timeout=30) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            tools = await session.list_tools()
            result = await session.call_tool("pods_log", {"namespace": namespace, "name": pod, "container": container, "tailLines": 1})
            text = "\n".join(c.text for c in result.content if c.type == "text")
            print(json.dumps({"tools": [t.name for t in tools.tools], "log": text, "isError": bool(result.is_error)}))


if __name__ == "__main__":
    asyncio.run(asyncio.wait_for(main(*sys.argv[1:5]), timeout=20))
