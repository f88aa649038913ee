"""The approver: polls pending approvals with an approver key and approves the first one."""
import sys
import time

import warden

url, key = sys.argv[1:3]
client = warden.Client.connect(url, key)
deadline = time.time() + 60
while time.time() < deadline:
    pending = client.list_approvals(status="pending")["items"]
    if pending:
        a = pending[0]
        print(f"[approver] pending: {a['tool']} ({a['effect']}) for {a['agent_id']} — approving")
        client.approve(approval_id=a["approval_id"], decided_by="alice@example.com", note="one-off cleanup")
        sys.exit(0)
    time.sleep(0.2)
print("[approver] nothing to approve within 60 s")
sys.exit(1)
