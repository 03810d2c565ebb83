#!/usr/bin/env python3
"""The lower bound of a full sync on jira-sim: the least wall time (and the
fewest points) any client needs for the requests it cannot avoid.

One reusable piece: bench/run imports it, and it runs on its own:

    bench/lower_bound.py --workload W.json [--latency-base-ms 100 ...]

where W.json is the answer of jira-sim's `GET /_sim/workload?account_id=ID`
(what a full sync by that user must fetch, per visible project). It prints
the bound and its terms as JSON.

The unavoidable requests of a full sync, as jira-sim serves them
(docs/jira-sim.md; sim/handlers_issues.cpp, sim/limits.cpp):

- id pages: `POST /search/jql` with `fields: ["id"]`, at most 5,000 ids a
  page, one project's pages strictly one after the other (each page's
  `nextPageToken` comes with the previous answer);
- `POST /issue/bulkfetch`, at most 100 issues a request (issues of several
  projects may share one, so ceil(issues / 100) in all);
- `GET /issue/{id}/comment` pages of at most 100 for the comments beyond
  the 20 Jira embeds in the issue;
- `GET /attachment/content/{id}`, one per attachment, and the media
  download its 303 points to (`GET /_media/...`: no burst bucket; jira-sim
  models no latency for it, so `media_latency_ms` defaults to 0).

Users, groups, projects, roles and permission schemes are left out (a few
hundred small requests next to the issue data): the bound is lower than
the true minimum, never higher.

The terms (the bound is the largest; they overlap in time):

- chain: the longest dependent sequence at the model's minimum latency
  (no jitter): the project list, a project's id pages one after the other,
  then one bulkfetch of that page's issues, then one attachment download
  and its media download;
- one term per burst bucket, with the dependency depth of its requests:
  N requests from a bucket of capacity r that refills at r/s (it starts
  full) need at least (N - r) / r seconds, after the answers they depend
  on (depth before: the project list; the first id page; for comment
  pages and downloads the first bulkfetch), plus one latency for the last
  answer and, for attachment content, the media download that follows
  it (depth after);
- quota: when the points of all these requests exceed the window's quota,
  the sync must wait for window resets (windows are aligned to multiples
  of their length; `phase_secs` is how far into its window the run
  started).

Points: 1 per request + 1 per core object (issue, comment, attachment, id)
+ 2 per identity object; none of the requests above carries identities.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass, field

# Jira's burst rates per second (docs/jira-cloud-api.md "Rate limits"; the
# same table as sim/limits.cpp). search/jql and bulkfetch are POSTs: the
# write bucket, one bucket per endpoint.
BURST_RATES = {
    "POST /search/jql": 100.0,
    "POST /issue/bulkfetch": 100.0,
    "GET /issue/{}/comment": 100.0,
    "GET /attachment/content/{}": 300.0,
}

ID_PAGE = 5000
BULKFETCH = 100
COMMENT_PAGE = 100


@dataclass
class model:
    """jira-sim's latency and limit options for one scenario."""

    latency_base_ms: float = 0.0
    latency_per_object_ms: float = 0.0
    burst: bool = True
    burst_scale: float = 1.0
    # The media download after attachment content's 303 (jira-sim: none).
    media_latency_ms: float = 0.0
    # 0 = no quota (or it does not apply to the run's traffic).
    quota_points: int = 0
    quota_window_secs: int = 3600
    phase_secs: float = 0.0


@dataclass
class requests:
    id_pages: int = 0
    bulkfetch: int = 0
    comment_pages: int = 0
    attachments: int = 0
    points: int = 0
    issues: int = 0
    comments: int = 0
    by_bucket: dict = field(default_factory=dict)


def unavoidable(workload: dict) -> requests:
    """The unavoidable requests and their points for a /_sim/workload answer."""
    r = requests()
    ids = 0
    for p in workload["projects"]:
        n = int(p["issues"])
        r.id_pages += max(1, math.ceil(n / ID_PAGE))
        ids += n
        r.issues += n
        r.comments += int(p["comments"])
        r.comment_pages += int(p["comment_pages"])
        r.attachments += int(p["attachments"])
    r.bulkfetch = math.ceil(r.issues / BULKFETCH)
    # Objects: the ids of the id pages; each issue with its embedded
    # comments and attachment metadata in bulkfetch; the other comments in
    # their pages (so every comment once); one attachment per download.
    r.points = (r.id_pages + ids + r.bulkfetch + r.issues + r.comments
                + r.attachments + r.comment_pages + 2 * r.attachments)
    r.by_bucket = {
        "POST /search/jql": r.id_pages,
        "POST /issue/bulkfetch": r.bulkfetch,
        "GET /issue/{}/comment": r.comment_pages,
        "GET /attachment/content/{}": r.attachments,
    }
    return r


def latency_ms(m: model, objects: int) -> float:
    return m.latency_base_ms + m.latency_per_object_ms * objects


def compute(workload: dict, m: model) -> dict:
    """The bound (seconds) with its terms, the requests and the points floor."""
    r = unavoidable(workload)
    terms = {}
    projects = workload["projects"]
    # Before any issue request: the project list (one round trip).
    start_ms = latency_ms(m, len(projects))

    def id_pages_ms(n: int) -> list:
        out, left = [], n
        while True:
            page = min(left, ID_PAGE)
            out.append(latency_ms(m, page))
            left -= page
            if left <= 0:
                return out

    # Chain: a project's id pages in sequence, then a dependent bulkfetch
    # (one issue at least) and, if there are attachments, one download.
    chain_ms = 0.0
    first_page_ms = None
    for p in projects:
        n = int(p["issues"])
        pages = id_pages_ms(n)
        if n > 0:
            first_page_ms = pages[0] if first_page_ms is None else min(
                first_page_ms, pages[0])
        tail = latency_ms(m, 1) if n > 0 else 0.0
        if int(p["attachments"]) > 0:
            tail += latency_ms(m, 1) + m.media_latency_ms
        chain_ms = max(chain_ms, start_ms + sum(pages) + tail)
    terms["chain"] = chain_ms / 1000.0
    first_page_ms = first_page_ms or 0.0
    if m.burst:
        # A bucket's requests cannot start before the answers they depend
        # on (the project list, the first id page, for comment pages and
        # downloads also the first bulkfetch), and its last answer takes
        # one latency more.
        before = {
            "POST /search/jql": start_ms,
            "POST /issue/bulkfetch": start_ms + first_page_ms,
            "GET /issue/{}/comment": start_ms + first_page_ms
            + latency_ms(m, 1),
            "GET /attachment/content/{}": start_ms + first_page_ms
            + latency_ms(m, 1),
        }
        after = {"GET /attachment/content/{}": m.media_latency_ms}
        for bucket, n in r.by_bucket.items():
            if n == 0:
                continue
            rate = BURST_RATES[bucket] * m.burst_scale
            terms["burst " + bucket] = (
                (before[bucket] + latency_ms(m, 1) + after.get(bucket, 0.0))
                / 1000.0 + max(0.0, (n - rate) / rate))
    if m.quota_points > 0 and r.points > m.quota_points:
        # The first window has (window - phase) seconds left; every further
        # quota's worth of points needs the next window to start.
        resets = math.ceil(r.points / m.quota_points) - 1
        first = m.quota_window_secs - m.phase_secs
        terms["quota"] = first + (resets - 1) * m.quota_window_secs
    else:
        terms["quota"] = 0.0
    bound_term = max(terms, key=lambda k: terms[k])
    return {
        "seconds": terms[bound_term],
        "bound_by": bound_term,
        "terms": terms,
        "requests": {k: v for k, v in asdict(r).items() if k != "by_bucket"},
        "points_floor": r.points,
        "points_floor_per_issue": r.points / r.issues if r.issues else 0.0,
        "model": asdict(m),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", required=True,
                    help="file with the /_sim/workload answer ('-' = stdin)")
    ap.add_argument("--latency-base-ms", type=float, default=0.0)
    ap.add_argument("--latency-per-object-ms", type=float, default=0.0)
    ap.add_argument("--no-burst", action="store_true")
    ap.add_argument("--burst-scale", type=float, default=1.0)
    ap.add_argument("--media-latency-ms", type=float, default=0.0)
    ap.add_argument("--quota-points", type=int, default=0,
                    help="points per window, if the quota applies (0 = none)")
    ap.add_argument("--quota-window-secs", type=int, default=3600)
    ap.add_argument("--phase-secs", type=float, default=0.0,
                    help="seconds into its quota window the run started")
    a = ap.parse_args(argv)
    src = sys.stdin if a.workload == "-" else open(a.workload)
    workload = json.load(src)
    m = model(a.latency_base_ms, a.latency_per_object_ms, not a.no_burst,
              a.burst_scale, a.media_latency_ms, a.quota_points,
              a.quota_window_secs, a.phase_secs)
    json.dump(compute(workload, m), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
