"""Demo setup with the admin key: an operator key and an approver key for workspace `demo`, an
agent, a policy that puts deletions behind a human, and the agent's own token."""
import json
import sys
import urllib.request

import warden

url, admin_key, env_file = sys.argv[1:4]
admin = warden.Client.connect(url, admin_key)


# API keys are a gateway concern (not an engine operation): created over its REST API.
def post(path, body, key):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"authorization": f"Bearer {key}", "content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


operator_key = post("/v1/keys", {"role": "agent-operator", "workspace": "demo", "name": "demo operator"}, admin_key)["api_key"]
approver_key = post("/v1/keys", {"role": "approver", "workspace": "demo", "name": "demo approver"}, admin_key)["api_key"]
print("created API keys: agent-operator and approver for workspace 'demo' (stored hashed)")

op = warden.Client.connect(url, operator_key)
agent = op.create_agent(name="research-bot", capabilities=["tool:web_search", "tool:files:*"])
print(f"agent {agent['agent_id']} in workspace {agent['workspace']} with {agent['capabilities']}")
admin.set_policy(workspace="demo", rules=[
    {"rule_id": "deletions-need-a-human", "match": "tool:files:delete", "action": "require_elevation"},
])
print("policy: tool:files:delete requires an approved elevation")
tok = op.issue_token(agent_id=agent["agent_id"], scopes=["tool:web_search", "tool:files:*"], ttl_seconds=600)
print(f"agent token issued (EdDSA, expires at {tok['expires_at']}); the agent authenticates with it")

with open(env_file, "w") as f:
    f.write(f"APPROVER_KEY={approver_key}\nAGENT_TOKEN={tok['token']}\nAGENT_ID={agent['agent_id']}\n")
