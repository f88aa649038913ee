"""The example agent: authenticates with its own Warden token and guards every tool call."""
import asyncio
import sys

import warden

url, token, agent_id = sys.argv[1:4]
client = warden.Client.connect(url, token)
guard = warden.Guard(client, agent_id)


@guard.protect()
def web_search(query: str) -> str:
    return f"3 results for {query!r}"


@guard.protect(tool="db:drop")
def drop_database() -> None:
    raise AssertionError("never runs: the guard denies it first")


@guard.protect(tool="files:delete")
def delete_file(path: str) -> str:
    return f"deleted {path}"


async def main() -> None:
    print(f"[agent] 1. web_search -> {web_search('warden agent sdk')}  (allowed)")
    try:
        drop_database()
    except warden.ActionDeniedError as e:
        print(f"[agent] 2. db:drop -> denied: {e.code}/{e.reason} (not in the agent's capabilities)")
    try:
        delete_file("/tmp/report.txt")
    except warden.ElevationRequiredError as e:
        approval_id = e.decision["approval_id"]
        print(f"[agent] 3. files:delete -> {e.code}: waiting for a human on {approval_id}")
        decided = await client.wait_for_decision(approval_id=approval_id, timeout_seconds=60)
        print(f"[agent]    approval {decided['status']} by {decided['decided_by']}")
        print(f"[agent]    retry inside the elevation window -> {delete_file('/tmp/report.txt')}")
    guard.close()
    print(f"[agent] telemetry sent: {guard.stats()['sent']} events")


asyncio.run(main())
