"""bench/run's output: the one-line summary of a scenario, the
micro-benchmarks, and bench/RESULTS.md (one table of the latest figures of
bench/results/*.json, with the machine and the date)."""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess


def machine() -> dict:
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cores": os.cpu_count(), "ram_gb": round(mem_kb / 2**20, 1),
            "cpu": model}


def peaks(g: dict) -> str:
    """The governor's peak in flight: attachment content / media / all."""
    c = g.get("classes", {})
    return " / ".join(str(c.get(k, {}).get("peak_in_flight", "—")) for k in
                      ("attachment_content", "media_download")) \
        + f" / {g.get('peak_in_flight', '—')}"


def one_line(r: dict) -> str:
    j = r["jirasync"]
    s = j["summary"]
    parts = [f"{r['scenario']}: {s.get('result', '?')} (exit {j['exit_code']})",
             f"{j['wall_seconds']} s", f"{j['issues_per_second']} issues/s",
             f"{j['sim']['api_requests']} requests",
             f"429 {j['sim']['rate_limited_by_reason']}",
             f"points {j['sim']['points_spent']}",
             f"peak RSS {j['peak_rss_mb']} MB",
             f"CPU {j['cpu_user_seconds']}+{j['cpu_sys_seconds']} s "
             f"(sim {j.get('sim_cpu_seconds', '?')} s)",
             f"store {r['store']['rocksdb_mb']} MB / export "
             f"{r['store']['export_mb'] or '-'} MB"]
    g = j.get("governor") or {}
    if g:
        parts.append(f"peak in flight {peaks(g)}")
    parts.append(f"load {j.get('load_avg_start', ['?'])[0]}"
                 f"-{j.get('load_avg_max_1min', '?')}"
                 f"-{j.get('load_avg_end', ['?'])[0]}")
    if s.get("mode"):
        parts.append(f"mode {s['mode']}")
    if "truth_check" in r:
        t = r["truth_check"]
        parts.append("export = truth" if t.get("equal") else
                     f"export != truth ({t.get('mismatches', t.get('error'))})")
    if "lower_bound" in r:
        parts.append(f"lower bound {r['lower_bound']['seconds']:.1f} s "
                     f"(x{j['ratio_to_lower_bound']})")
    if "baseline" in r:
        b = r["baseline"]
        parts.append(f"baseline {b['estimated_seconds']:.0f} s "
                     f"(x{r['speedup']}), misses "
                     f"{b.get('comments_missed_site', b['comments_missed'])} "
                     "comments")
    return " | ".join(parts)


MICRO = [
    # (name, program, args, [(label, regex of the figure)]); a label with
    # "{}" takes the regex's first group (one figure per matching line) and
    # the value its second.
    ("adf", "adf_bench", [], [
        ("ADF -> Markdown MB/s (parse + render, 1 core)",
         r"parse \+ render\s+([\d.]+) MB/s")]),
    ("store", "store_bench", [], [
        ("store writes, records/s (add)", r"add\s+([\d.]+) records/s"),
        ("store writes, records/s (unchanged)",
         r"unchanged\s+([\d.]+) records/s"),
        ("store writes, records/s (update)", r"update\s+([\d.]+) records/s"),
        ("store on disk after the passes, MB",
         r"on disk after the passes \(store closed\): ([\d.]+) MB")]),
    ("acl", "acl_bench", [], [
        ("ACL computation per 10k issues, ms (memoised)",
         r"after\s+\(memoised\):\s+([\d.]+) ms per 10k issues"),
        ("ACL computation per 10k issues, ms (per record, before memo)",
         r"before \(per record\):\s+([\d.]+) ms per 10k issues")]),
    ("extract", "extract_bench", ["--mb", "8"], [
        ("text extraction {}, input MB/s",
         r"^(\S+)\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s+"
         r"[\d.]+")]),
]


def run_micro(build: str, results: str):
    out = {}
    for name, prog, args, figures in MICRO:
        path = os.path.join(build, "bench", prog)
        if not os.path.exists(path):
            out[name] = {"missing": f"{prog} not built"}
            continue
        p = subprocess.run([path, *args], capture_output=True, text=True)
        vals = {}
        for label, rx in figures:
            if "{}" in label:
                for m in re.finditer(rx, p.stdout, re.M):
                    vals[label.format(m.group(1))] = float(m.group(2))
                continue
            m = re.search(rx, p.stdout, re.M)
            vals[label] = float(m.group(1)) if m else None
        out[name] = {"exit_code": p.returncode, "figures": vals,
                     "output": p.stdout.strip().splitlines()}
        print(f"{prog}: {vals}", flush=True)
    out["date_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M")
    out["machine"] = machine()
    with open(os.path.join(results, "micro.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


ORDER = ["S", "M", "L", "XL", "quota", "incremental", "incremental-L",
         "fault"]


def fmt(v, spec="{}"):
    return "—" if v is None else spec.format(v)


def load(results: str, name: str):
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def verdict(value, limit, higher_is_better=False) -> str:
    """"met" or "missed by N %" (or "by N×" from 1.5 times the limit)."""
    if value is None:
        return "not measured"
    ok = value >= limit if higher_is_better else value <= limit
    if ok:
        return "met"
    ratio = limit / value if higher_is_better else value / limit
    if ratio >= 1.5:
        return f"missed by {ratio:.1f}×"
    return f"missed by {100 * (ratio - 1):.0f} %"


def targets(results: str) -> list:
    """Issue 15's targets against the latest results: rows of (target,
    measured, verdict). The causes are analysis.md's."""
    rows = []
    L, XL, M = (load(results, n) for n in ("L", "XL", "M"))
    incr = load(results, "incremental-L") or load(results, "incremental")
    quota = load(results, "quota")

    def j(r):
        return r["jirasync"] if r else {}

    if L:
        rows.append(("L full sync ≤ 5 min", f"{j(L)['wall_seconds']:.1f} s",
                     verdict(j(L)["wall_seconds"], 300)))
        rows.append(("L ≤ 1.5× the lower bound",
                     f"×{j(L).get('ratio_to_lower_bound')} (bound "
                     f"{L['lower_bound']['seconds']:.1f} s, set by "
                     f"{L['lower_bound']['bound_by']})",
                     verdict(j(L).get("ratio_to_lower_bound"), 1.5)))
        rows.append(("L ≥ 30× the sequential baseline",
                     f"×{L.get('speedup')}" if L.get("speedup") else "—",
                     verdict(L.get("speedup"), 30, True)))
    if incr:
        name = incr["scenario"]
        t = incr.get("truth_check")
        rows.append(("incremental after 1 % changes ≤ 10 s at L",
                     f"{name}: {j(incr)['wall_seconds']:.1f} s (mode "
                     f"{j(incr)['summary'].get('mode', '?')}, export = truth: "
                     + ("not checked" if t is None else
                        "yes" if t.get("equal") else "NO") + ")",
                     verdict(j(incr)["wall_seconds"], 10)
                     if name == "incremental-L" else "measured at 10k only"))
    floors = [(r["scenario"], j(r).get("points_to_floor"))
              for r in (load(results, n) for n in ORDER) if r
              and j(r).get("points_to_floor")]
    if floors:
        # Judged at L (the setup requests the floor leaves out weigh on a
        # 1k-issue site), else at the largest site measured.
        judged = dict(floors).get("L", floors[-1][1])
        rows.append(("points per issue ≤ 1.05× the floor (at L)",
                     ", ".join(f"{n} ×{v}" for n, v in floors),
                     verdict(judged, 1.05)))
    if quota:
        by = j(quota)["sim"]["rate_limited_by_reason"]
        q = sum(v for k, v in by.items() if "quota" in k)
        rows.append(("0 quota lockouts (quota scenario)",
                     f"{q} quota 429s of {j(quota)['sim']['api_requests']:,}"
                     " requests", "met" if q == 0 else f"missed ({q})"))
    shares = [(r["scenario"], j(r)["sim"]["rate_limited_share"])
              for r in (load(results, n) for n in ORDER) if r]
    if shares:
        worst = max(shares, key=lambda x: x[1])
        rows.append(("429s < 0.5 % of requests",
                     ", ".join(f"{n} {100 * v:.2f} %" for n, v in shares),
                     verdict(100 * worst[1], 0.5)))
    stores = [(r["scenario"], r["store"].get("store_to_export"))
              for r in (load(results, n) for n in ORDER) if r
              and r["store"].get("store_to_export")]
    if stores:
        worst = max(stores, key=lambda x: x[1])
        rows.append(("store ≤ 1.5× its JSONL export",
                     ", ".join(f"{n} ×{v}" for n, v in stores),
                     verdict(worst[1], 1.5)))
    for r in (L, M):
        if r and j(r).get("cpu_us_per_record"):
            rows.append((f"CPU ≤ 100 µs per stored record ({r['scenario']})",
                         f"{j(r)['cpu_us_per_record']} µs "
                         f"({j(r)['cpu_user_seconds']} + "
                         f"{j(r)['cpu_sys_seconds']} s, {j(r)['records']:,}"
                         " records)",
                         verdict(j(r)["cpu_us_per_record"], 100)))
            break
    peaks = [(r["scenario"], j(r)["peak_rss_mb"])
             for r in (load(results, n) for n in ("M", "L", "XL")) if r]
    xl = XL or load(results, "XL-loaded")
    if xl and not XL:
        peaks.append(("XL-loaded", j(xl)["peak_rss_mb"]))
    if peaks:
        rows.append(("peak RSS ≤ 256 MB at XL",
                     ", ".join(f"{n} {v:.0f} MB" for n, v in peaks),
                     verdict(j(xl)["peak_rss_mb"], 256) if xl
                     else "XL not measured"))
        if len(peaks) > 1:
            # Flat: the largest site's peak within 10 % of the smallest's.
            low, high = peaks[0][1], peaks[-1][1]
            rows.append(("peak RSS flat from M to XL",
                         f"{peaks[0][0]} {low:.0f} MB → {peaks[-1][0]} "
                         f"{high:.0f} MB (×{high / low:.2f})",
                         verdict(high, low * 1.1)))
    return rows


def truth_text(t) -> str:
    """A truth comparison in a table cell."""
    if t is None:
        return "—"
    if "error" in t:
        return "not checked: " + t["error"]
    if t.get("equal"):
        return f"yes ({t['records']:,} records)"
    return f"no: {t['mismatches']} of {t['records']:,} differ (" + ", ".join(
        f"{v} {k}" for k, v in t.get("by_kind", {}).items()) + ")"


def write(results: str, path: str):
    rows = []
    names = sorted((f[:-5] for f in os.listdir(results)
                    if f.endswith(".json") and f != "micro.json"
                    and f[:-5] in ORDER),
                   key=lambda n: ORDER.index(n) if n in ORDER else 99)
    dates, machines = set(), set()
    for n in names:
        with open(os.path.join(results, n + ".json")) as f:
            r = json.load(f)
        dates.add(r["date_utc"])
        m = r["machine"]
        machines.add(f"{m['cores']} cores ({m['cpu']}), {m['ram_gb']} GB RAM")
        j, st, w = r["jirasync"], r["store"], r["workload"]
        sim = j["sim"]
        lb = r.get("lower_bound")
        cls = sim["requests_by_class"]
        rows.append([
            n, r["date_utc"][5:], f"{w['issues']:,}",
            j["summary"].get("result", "?"),
            f"{j['wall_seconds']:.1f}", f"{j['issues_per_second']:.0f}",
            fmt(lb and lb["seconds"], "{:.1f}"),
            fmt(j.get("ratio_to_lower_bound"), "×{}"),
            fmt(r.get("baseline") and r["baseline"]["estimated_seconds"],
                "{:.0f}") + ("" if not r.get("baseline") or
                             r["baseline"]["complete"] else " (est.)"),
            fmt(r.get("speedup"), "×{}"),
            fmt(r.get("baseline") and r["baseline"].get(
                "comments_missed_site", r["baseline"]["comments_missed"]),
                "{:,}"),
            f"{sim['api_requests']:,}",
            " / ".join(f"{cls.get(k, 0):,}" for k in
                       ("id pages", "bulkfetch", "comment pages",
                        "attachment content", "setup")),
            f"{sim['points_spent']:,}",
            fmt(j.get("points_to_floor"), "×{}"),
            ", ".join(f"{k.replace('jira-', '').replace('-based', '')} {v}"
                      for k, v in sim["rate_limited_by_reason"].items())
            or "0",
            peaks(j["governor"]) if j.get("governor") else "—",
            f"{j['load_avg_start'][0]:.1f} / {j['load_avg_max_1min']:.1f}"
            + (f" / {j['load_avg_end'][0]:.1f}" if "load_avg_end" in j
               else "") if "load_avg_start" in j else "—",
            f"{j['peak_rss_mb']:.0f}",
            f"{j['cpu_user_seconds']:.1f} + {j['cpu_sys_seconds']:.1f}"
            + (f" ({j['sim_cpu_seconds']:.0f})" if "sim_cpu_seconds" in j
               else ""),
            fmt(j.get("cpu_us_per_record")),
            f"{st['rocksdb_mb']:.0f} ({st['rocksdb_wal_mb']:.0f}) / "
            + (f"{st['export_mb']:.0f} = ×{st['store_to_export']}"
               if st["export_mb"] else "—"),
            truth_text(r.get("truth_check")),
        ])
    head = ["scenario", "date (UTC)", "issues", "result", "wall s", "issues/s",
            "lower bound s", "÷ bound", "baseline s", "speed-up",
            "comments baseline misses", "requests",
            "id pages / bulkfetch / comment pages / attachments / setup",
            "points", "points ÷ floor", "429s",
            "peak in flight: content / media / all",
            "load avg (1 min) start / max / end", "peak RSS MB",
            "CPU user + sys s (the sim's)", "CPU µs / record",
            "RocksDB MB (of it WAL) / export MB",
            "export = the sim's truth (`--check-truth`)"]
    lines = ["# Benchmark results", "",
             "Written by `bench/run --report` from `bench/results/*.json` "
             "(one file per scenario, with every figure and the sim's "
             "stats); how to run them: [README.md](README.md).", "",
             f"- Machine: {'; '.join(sorted(machines))}; shared with other "
             "jobs while measuring.",
             f"- Dates (UTC): {', '.join(sorted(dates))}.", "",
             "| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    for row in rows:
        lines.append("| " + " | ".join(row) + " |")
    incr = [n for n in names if n.startswith("incremental")]
    if incr:
        lines += ["", "Incremental scenarios (a full sync, 1 % of the visible "
                  "issues changed through `/_sim/mutate`, then the measured "
                  "`jirasync sync`):", "",
                  "| scenario | date (UTC) | full sync s (load start / "
                  "end) | changed issues / comments added | incremental s | "
                  "mode | requests: id pages / bulkfetch / comment pages / "
                  "attachments / setup | records added / updated / "
                  "unchanged / deleted | export = truth | load (1 min) "
                  "start / max / end |", "|" + "---|" * 10]
        for n in incr:
            with open(os.path.join(results, n + ".json")) as f:
                r = json.load(f)
            j, first, mu = r["jirasync"], r.get("first_sync", {}), \
                r.get("mutations", {})
            s_, cls = j["summary"], j["sim"]["requests_by_class"]
            t = r.get("truth_check")
            tc = "not checked" if t is None else (
                f"yes ({t['records']:,} records, {t['seconds']:.0f} s)"
                if t.get("equal") else
                truth_text(t))
            lines.append(
                f"| {n} | {r['date_utc']} | "
                + (f"{first['wall_seconds']:.1f} ({first['load_avg_start'][0]:.1f}"
                   f" / {first['load_avg_end'][0]:.1f})" if first else "—")
                + f" | {mu.get('issues_changed', '—')} / "
                f"{mu.get('comments_added', '—')} | **{j['wall_seconds']:.1f}**"
                f" | {s_.get('mode', '?')} | {j['sim']['api_requests']:,}: "
                + " / ".join(f"{cls.get(k, 0):,}" for k in
                             ("id pages", "bulkfetch", "comment pages",
                              "attachment content", "setup"))
                + " | " + " / ".join(f"{s_.get(k, 0):,}" for k in
                                     ("added", "updated", "unchanged",
                                      "deleted"))
                + f" | {tc} | {j['load_avg_start'][0]:.1f} / "
                f"{j['load_avg_max_1min']:.1f} / {j['load_avg_end'][0]:.1f} |")
    # Experiments (bench/run --tag=-X): what each product change measured.
    tagged = sorted(f[:-5] for f in os.listdir(results)
                    if f.endswith(".json") and f != "micro.json"
                    and f[:-5] not in ORDER)
    if tagged:
        lines += ["", "Experiments (`bench/run --tag=-X [--env K=V]`, each on the code of "
                  "its commit; kept as evidence for the changes named in the "
                  "commit messages):", "",
                  "| run | date | wall s | CPU user + sys s | peak RSS MB | "
                  "RocksDB MB (WAL) |", "|---|---|---|---|---|---|"]
        for n in tagged:
            with open(os.path.join(results, n + ".json")) as f:
                r = json.load(f)
            j, st = r["jirasync"], r["store"]
            env = " ".join(f"{k}={v}" for k, v in
                           r.get("jirasync_env", {}).items())
            lines.append(
                f"| {n}{' (' + env + ')' if env else ''} | {r['date_utc']} | "
                f"{j['wall_seconds']:.1f} | {j['cpu_user_seconds']:.1f} + "
                f"{j['cpu_sys_seconds']:.1f} | {j['peak_rss_mb']:.0f} | "
                f"{st['rocksdb_mb']:.0f} ({st['rocksdb_wal_mb']:.0f}) |")
    micro = os.path.join(results, "micro.json")
    if os.path.exists(micro):
        with open(micro) as f:
            mj = json.load(f)
        lines += ["", f"Micro-benchmarks ({mj['date_utc']} UTC, same "
                  "machine):", ""]
        for name, _, _, figures in MICRO:
            e = mj.get(name, {})
            if "missing" in e:
                lines.append(f"- {name}: {e['missing']}")
                continue
            if "figures" not in e:
                lines.append(f"- {name}: not run")
                continue
            for label, v in e["figures"].items():
                lines.append(f"- {label}: {fmt(v)}")
    rows = targets(results)
    if rows:
        lines += ["", "## Against the targets (issue 15)", "",
                  "Computed from the result files above; the causes are in "
                  "the sections that follow.", "",
                  "| target | measured | verdict |", "|---|---|---|"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    # The hand-written reading of these figures (targets, causes), kept
    # beside them.
    analysis = os.path.join(results, "analysis.md")
    if os.path.exists(analysis):
        with open(analysis) as f:
            lines += ["", f.read().rstrip()]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
