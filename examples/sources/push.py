#!/usr/bin/env python3
"""Push measured figures to Tianshu (POST /api/v1/ingest), standard library only.

Reads samples from a CSV (header: entity,metric,value[,t]) — e.g. an export of a plant's MES or a
probe system that cannot be scraped — and sends them in batches. Each batch has a batch id made
from the file's content and the batch's position, so sending the same file again (after a lost
answer, a crash, a restart) is answered from the backend's record and never applied twice.
Retries: 429 (waits as Retry-After says), 5xx and connection errors (backing off up to 30 s).

    python3 push.py --backend http://127.0.0.1:8080 --token-file source.token samples.csv
    python3 push.py ... --stages stages.csv      # factory_id,stage[,technologies][,t] (CSV upload)

Prints one JSON line per batch with what was accepted and each refused sample (its line in the
file and the reason); exits 1 if any sample was refused, 2 on an error that stopped the push.
"""

import argparse
import csv
import hashlib
import json
import sys
import time
import urllib.error
import urllib.request

BATCH = 5000


def request(url, token, body, content_type, headers=None, attempts=8):
    """POST body; returns the parsed JSON answer. Retries what may succeed later."""
    delay = 0.5
    for attempt in range(attempts):
        req = urllib.request.Request(url, data=body, method="POST")
        req.add_header("Content-Type", content_type)
        if token:
            req.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            payload = e.read()
            if e.code == 429:
                wait = float(e.headers.get("Retry-After") or delay)
                time.sleep(min(max(wait, 0.05), 30))
                continue
            if e.code >= 500 and attempt + 1 < attempts:
                time.sleep(delay)
                delay = min(delay * 2, 30)
                continue
            try:
                err = json.loads(payload)
            except ValueError:
                err = {"code": "http_%d" % e.code, "message": payload[:200].decode("utf-8", "replace")}
            raise SystemExit("push refused (%d %s): %s" % (e.code, err.get("code"), err.get("message")))
        except (urllib.error.URLError, OSError) as e:
            if attempt + 1 == attempts:
                raise SystemExit("cannot reach the backend: %s" % e)
            time.sleep(delay)
            delay = min(delay * 2, 30)
    raise SystemExit("the backend kept answering 429/5xx; try again later")


def read_samples(path):
    """(line, sample) pairs; a malformed row stops with its line."""
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.DictReader(f)
        missing = {"entity", "metric", "value"} - set(rows.fieldnames or [])
        if missing:
            raise SystemExit("%s:1: missing column(s) %s" % (path, ", ".join(sorted(missing))))
        for row in rows:
            line = rows.line_num
            try:
                sample = {"entity": row["entity"].strip(), "metric": row["metric"].strip(),
                          "value": float(row["value"])}
                if (row.get("t") or "").strip():
                    sample["t"] = int(row["t"])
            except ValueError as e:
                raise SystemExit("%s:%d: %s" % (path, line, e))
            out.append((line, sample))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", required=True)
    p.add_argument("--token-file", help="file holding the bearer token of a user with role `source`")
    p.add_argument("--stages", help="also upload this CSV of enterprise stage changes")
    p.add_argument("samples", nargs="?", help="CSV of samples: entity,metric,value[,t]")
    a = p.parse_args()
    token = open(a.token_file, encoding="utf-8").read().strip() if a.token_file else None
    base = a.backend.rstrip("/")
    refused = 0
    if a.samples:
        samples = read_samples(a.samples)
        digest = hashlib.sha256(open(a.samples, "rb").read()).hexdigest()[:16]
        for start in range(0, len(samples), BATCH):
            chunk = samples[start:start + BATCH]
            batch_id = "file-%s-%d" % (digest, start // BATCH)
            body = json.dumps({"batch_id": batch_id, "samples": [s for _, s in chunk]}).encode()
            receipt = request(base + "/api/v1/ingest", token, body, "application/json")
            lines = [{"line": chunk[e["index"]][0], "code": e["code"], "message": e["message"]}
                     for e in receipt.get("rejected", []) if not e.get("in_stages")]
            refused += len(lines)
            print(json.dumps({"batch_id": batch_id, "accepted": receipt["accepted"],
                              "replayed": receipt["replayed"], "rejected": lines}))
    if a.stages:
        body = open(a.stages, "rb").read()
        key = "stages-" + hashlib.sha256(body).hexdigest()[:16]
        receipt = request(base + "/api/v1/ingest/stages.csv", token, body, "text/csv",
                          {"Idempotency-Key": key})
        refused += len(receipt.get("rejected", []))
        print(json.dumps({"batch_id": key, "accepted": receipt["accepted"],
                          "replayed": receipt["replayed"], "rejected": receipt.get("rejected", [])}))
    sys.exit(1 if refused else 0)


if __name__ == "__main__":
    main()
