#!/usr/bin/env python3
"""Agent round trips through the gateway, measured end to end over loopback (issue 15).

Starts `tianshu serve --paused --memory` with a users file of its own (one operator, one agent),
then N times:
  1. propose → visible: the agent POSTs a proposal; the time until the operator's event stream
     (the same SSE stream a console reads) delivers its `action_proposed` event;
  2. decision → agent told: the agent is long-polling `GET /actions/{id}?wait=30&version=1`; the
     operator POSTs an approval; the time until the agent's long poll returns `approved`.
Prints p50/p99/max of each in milliseconds. Standard library only.

    python3 scripts/agent-roundtrip.py --bin target/release/tianshu --rounds 200
"""

import argparse
import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

OPERATOR, AGENT = "roundtrip-operator", "roundtrip-agent"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, token, method, path, body=None, timeout=60):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default="target/release/tianshu")
    ap.add_argument("--rounds", type=int, default=100)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="tianshu-roundtrip-")
    users = os.path.join(tmp, "users.toml")
    digest = lambda t: hashlib.sha256(t.encode()).hexdigest()
    with open(users, "w") as f:
        f.write(f'[[user]]\nname = "op"\nrole = "operator"\ntoken_sha256 = "{digest(OPERATOR)}"\n\n'
                f'[[user]]\nname = "bench-agent"\nrole = "agent"\ntoken_sha256 = "{digest(AGENT)}"\n'
                f'agent_id = "agent-bench"\nautonomy = "L3"\nkinds = ["backbone.*"]\ntargets = ["link:*"]\n')
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    serve = subprocess.Popen([args.bin, "serve", "--listen", f"127.0.0.1:{port}", "--memory", "--users", users,
                              "--paused", "--factories", "2000", "--rate-limit", "10000"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        link = request(base, OPERATOR, "GET", "/snapshot")["links"][0]["id"]

        # The operator's event stream: remember when each proposal's event arrived.
        seen = {}
        cond = threading.Condition()

        def listen():
            req = urllib.request.Request(base + "/events")
            req.add_header("Authorization", "Bearer " + OPERATOR)
            with urllib.request.urlopen(req, timeout=3600) as stream:
                for raw in stream:
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:"):
                        continue
                    event = json.loads(line[5:])
                    if event.get("type") == "action_proposed":
                        action = event["action"]
                        with cond:
                            seen[action["id"]] = time.perf_counter()
                            cond.notify_all()

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.5)

        visible, told = [], []
        for i in range(args.rounds):
            proposal = {"idempotency_key": f"rt-{i}", "kind": "backbone.reroute", "target": f"link:{link}",
                        "summary_en": "round trip", "rationale_en": "measuring", "confidence": 0.9,
                        "risk": "medium", "params": {"shift_pct": 5}}
            t0 = time.perf_counter()
            action = request(base, AGENT, "POST", "/actions", proposal)["action"]
            with cond:
                cond.wait_for(lambda: action["id"] in seen, timeout=10)
            if action["id"] not in seen:
                sys.exit(f"the event of action {action['id']} never arrived")
            visible.append((seen[action["id"]] - t0) * 1000)

            answer = {}

            def wait():
                answer["action"] = request(base, AGENT, "GET", f"/actions/{action['id']}?wait=30&version=1")
                answer["at"] = time.perf_counter()

            waiter = threading.Thread(target=wait)
            waiter.start()
            time.sleep(0.02)  # the long poll is in place
            t2 = time.perf_counter()
            request(base, OPERATOR, "POST", f"/actions/{action['id']}/decision",
                    {"decision": "approve", "reason": "round trip", "expected_version": 1,
                     "idempotency_key": f"rt-d-{i}"})
            waiter.join()
            assert answer["action"]["state"] == "approved", answer
            told.append((answer["at"] - t2) * 1000)
            request(base, AGENT, "POST", f"/actions/{action['id']}/outcome",
                    {"idempotency_key": f"rt-o-{i}", "status": "executed"})

        for name, values in (("propose → event on the console's stream", visible),
                             ("decision POST → agent's long poll returns", told)):
            print(f"{name}: p50 {statistics.median(values):.2f} ms, p99 {pct(values, 99):.2f} ms, "
                  f"max {max(values):.2f} ms ({len(values)} rounds)")
    finally:
        serve.terminate()
        serve.wait()


if __name__ == "__main__":
    main()
