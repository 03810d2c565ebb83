#!/usr/bin/env python3
"""The baseline of bench/run: a sequential client following the reference
connector's published algorithm (its guide's "Connector Workflow"):

  1. users, 2. groups and their members, 3. projects, 4. project roles,
  5. per project, the issues by JQL in batches with every field — 50 a
     page here, as the brief of issue 15 states it — with comments "from
     the embedded page only" (the first page Jira embeds in the issue) and
     the attachments downloaded one by one.

One request at a time, one kept-alive TLS connection (a second one to the
media host, which is the same host on jira-sim), no retries beyond one
after a 429's Retry-After. Nothing is stored: bodies are parsed and
dropped, so the baseline is faster than a real connector, never slower.

    bench/baseline.py --ready READY.json [--max-seconds N]

READY.json is jira-sim's ready line. Prints one JSON object: wall time,
requests, issues, comments received, comments missed (the `total` of the
embedded page minus what it held), attachments and their bytes. With
--max-seconds it stops after that long and says how far it got (bench/run
extrapolates from it).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import ssl
import sys
import time
import urllib.parse

PAGE = 50


class client:
    def __init__(self, ready: dict):
        url = urllib.parse.urlsplit(ready["base_url"])
        if url.hostname != "127.0.0.1":
            raise SystemExit("baseline: talks to 127.0.0.1 only")
        self.host, self.port = url.hostname, url.port
        self.ctx = ssl.create_default_context(cafile=ready["ca_file"])
        self.auth = "Basic " + base64.b64encode(
            (ready["email"] + ":" + ready["api_token"]).encode()).decode()
        self.conn = None
        self.requests = 0
        self.rate_limited = 0
        self.errors = 0

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(
                self.host, self.port, context=self.ctx, timeout=120)
        return self.conn

    def raw(self, method, target, body=None, auth=True):
        for attempt in range(8):
            headers = {"Accept": "application/json"}
            if auth:
                headers["Authorization"] = self.auth
            if body is not None:
                headers["Content-Type"] = "application/json"
            try:
                c = self._conn()
                c.request(method, target, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
            except (http.client.HTTPException, OSError):
                self.conn = None
                self.errors += 1
                time.sleep(1)
                continue
            self.requests += 1
            if r.status == 429 or r.status >= 500:
                if r.status == 429:
                    self.rate_limited += 1
                else:
                    self.errors += 1
                time.sleep(float(r.getheader("Retry-After") or 1))
                continue
            return r, data
        raise RuntimeError(f"baseline: {method} {target} failed 8 times")

    def get_json(self, target):
        r, data = self.raw("GET", "/rest/api/3" + target)
        if r.status != 200:
            raise RuntimeError(f"baseline: GET {target} -> {r.status}")
        try:
            return json.loads(data)
        except ValueError:
            # An injected broken body: ask again once.
            r, data = self.raw("GET", "/rest/api/3" + target)
            return json.loads(data)


def q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


def run(ready: dict, max_seconds: float) -> dict:
    c = client(ready)
    t0 = time.monotonic()
    out = {"issues": 0, "comments": 0, "comments_missed": 0,
           "attachments": 0, "attachment_bytes": 0, "complete": False}

    def over() -> bool:
        return max_seconds > 0 and time.monotonic() - t0 > max_seconds

    # 1. Users.
    start = 0
    while True:
        page = c.get_json(f"/users/search?startAt={start}&maxResults={PAGE}")
        if not page:
            break
        start += len(page)
    # 2. Groups and their members.
    start = 0
    groups = []
    while True:
        page = c.get_json(f"/group/bulk?startAt={start}&maxResults={PAGE}")
        groups += [g["groupId"] for g in page.get("values", [])]
        if page.get("isLast", True):
            break
        start += len(page.get("values", []))
    for gid in groups:
        start = 0
        while True:
            page = c.get_json(f"/group/member?groupId={q(gid)}"
                              f"&startAt={start}&maxResults={PAGE}")
            if page.get("isLast", True):
                break
            start += len(page.get("values", []))
    # 3. Projects.
    projects, start = [], 0
    while True:
        page = c.get_json(f"/project/search?startAt={start}"
                          f"&maxResults={PAGE}")
        projects += [p["key"] for p in page.get("values", [])]
        if page.get("isLast", True):
            break
        start += len(page.get("values", []))
    # 4. Project roles.
    for key in projects:
        roles = c.get_json(f"/project/{key}/role")
        for url in roles.values():
            rid = url.rstrip("/").rsplit("/", 1)[-1]
            c.get_json(f"/project/{key}/role/{rid}")
    # 5. Issues, every field, 50 a page; embedded comments; attachments one
    # by one.
    for key in projects:
        token = None
        while True:
            target = (f"/search/jql?jql={q(f'project = {key} ORDER BY id ASC')}"
                      f"&fields=*all&maxResults={PAGE}")
            if token:
                target += "&nextPageToken=" + q(token)
            page = c.get_json(target)
            for issue in page.get("issues", []):
                f = issue.get("fields", {})
                out["issues"] += 1
                cm = f.get("comment") or {}
                got = len(cm.get("comments", []))
                out["comments"] += got
                out["comments_missed"] += max(0, int(cm.get("total", got))
                                              - got)
                for a in f.get("attachment") or []:
                    r, data = c.raw("GET", "/rest/api/3/attachment/content/"
                                    + str(a["id"]))
                    if r.status in (302, 303):
                        loc = urllib.parse.urlsplit(r.getheader("Location"))
                        r, data = c.raw("GET", loc.path + "?" + loc.query,
                                        auth=False)
                    out["attachments"] += 1
                    out["attachment_bytes"] += len(data)
            if over():
                break
            if page.get("isLast", True):
                break
            token = page["nextPageToken"]
        if over():
            break
    else:
        out["complete"] = True
    out["seconds"] = time.monotonic() - t0
    out["requests"] = c.requests
    out["rate_limited"] = c.rate_limited
    out["errors"] = c.errors
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ready", required=True, help="jira-sim's ready line")
    ap.add_argument("--max-seconds", type=float, default=0,
                    help="stop after this long (0 = run to the end)")
    a = ap.parse_args(argv)
    with open(a.ready) as f:
        ready = json.loads(f.readline())
    json.dump(run(ready, a.max_seconds), sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
