"""Starting jira-sim and talking to it (its control API and its REST API)
over TLS with the CA file of its ready line. Standard library only;
127.0.0.1 only."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import ssl
import subprocess
import time
import urllib.parse


class sim:
    """A running jira-sim (a context manager: stopped with SIGTERM on exit)."""

    def __init__(self, binary: str, options: dict, log_path: str):
        args = [binary, "--port", "0"]
        for k, v in options.items():
            if v is True:
                args.append("--" + k)
            elif v is not False and v is not None:
                args += ["--" + k, str(v)]
        self.args = args
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("jira-sim did not start: " + " ".join(args)
                               + " (see " + log_path + ")")
        self.ready = json.loads(line)
        url = urllib.parse.urlsplit(self.ready["base_url"])
        self.host, self.port = url.hostname, url.port
        assert self.host == "127.0.0.1"
        self.ctx = ssl.create_default_context(cafile=self.ready["ca_file"])
        self.auth = "Basic " + base64.b64encode(
            (self.ready["email"] + ":" + self.ready["api_token"]).encode()
        ).decode()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def connection(self, timeout=120) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(self.host, self.port,
                                           context=self.ctx, timeout=timeout)

    def control(self, method: str, path: str, body=None):
        c = self.connection(timeout=600)
        try:
            data = json.dumps(body) if body is not None else None
            c.request(method, path, body=data,
                      headers={"Content-Type": "application/json"})
            r = c.getresponse()
            return json.loads(r.read())
        finally:
            c.close()

    def api_user(self) -> str:
        for u in self.control("GET", "/_sim/users"):
            if u.get("api_user"):
                return u["account_id"]
        raise RuntimeError("jira-sim names no API user")

    def workload(self) -> dict:
        return self.control("GET", "/_sim/workload?account_id="
                            + urllib.parse.quote(self.api_user()))

    def save_truth(self, path: str):
        """GET /_sim/truth into `path` (JSON Lines, the whole site); raises
        RuntimeError when the answer is not a complete 200."""
        c = self.connection(timeout=600)
        try:
            c.request("GET", "/_sim/truth")
            r = c.getresponse()
            if r.status != 200:
                raise RuntimeError(f"GET /_sim/truth: HTTP {r.status}")
            with open(path, "wb") as f:
                while True:
                    chunk = r.read(1 << 20)
                    if not chunk:
                        break
                    f.write(chunk)
        finally:
            c.close()
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - 1))
            if f.read(1) not in (b"\n", b""):
                raise RuntimeError("GET /_sim/truth: the answer was cut")

    def stats(self) -> dict:
        return self.control("GET", "/_sim/stats")

    def reset(self):
        """Zeroes the counters, empties the quota window, refills buckets."""
        self.control("POST", "/_sim/stats/reset")
        self.control("POST", "/_sim/limits/reset")


def wait_for_window_start(window_secs: int, margin: float = 0.5) -> float:
    """Sleeps until just after a quota window starts (jira-sim aligns them to
    multiples of their length since the epoch); returns the phase (seconds
    into the window) at return."""
    now = time.time()
    left = window_secs - (now % window_secs)
    time.sleep(left + margin)
    return time.time() % window_secs


def kb_of(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a running process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            # Fields after the command name (which may hold spaces): utime
            # and stime are the 12th and 13th.
            rest = f.read().rsplit(")", 1)[1].split()
        return (int(rest[11]) + int(rest[12])) / os.sysconf("SC_CLK_TCK")
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0


def dir_bytes(path: str, skip=()) -> int:
    total = 0
    for root, dirs, files in os.walk(path):
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in skip]
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except FileNotFoundError:
                pass
    return total
