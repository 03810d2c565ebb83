"""The export compared with jira-sim's ground truth (GET /_sim/truth), as
the integration tests compare them (tests/integration/export_data.hpp:
compare), but streamed, so that it fits a 50k-issue site: the truth is
read once and kept as one fingerprint per record visible to the API user,
then the export is read line by line against it.

The rules are the tests': every field of a truth record must be in the
export record with the same value (numbers by value, objects by key),
except `acl` (the ACLs are compared by their user lists, since the ids
differ) and `text` of issues and comments (the truth has ADF text nodes,
the export Markdown: present, and non-empty when the truth has text other
than white space, BLANK) and `text_contains` of the real documents (the
exported text must contain those strings in order); an attachment text
over indexing.attachment_text_max_bytes (1 MiB) must be exported cut at
most 4 bytes short of the cap. A truth record whose ACL
does not hold the API user is hidden from it and must not be exported.
Standard library only.
"""

from __future__ import annotations

import hashlib
import json

TEXT_CAP = 1 << 20

# White space as jirasync's Markdown converter (and cmark) reads it: ASCII
# space, tab, line breaks, form feed and Unicode Zs. A truth text made of
# these alone needs no Markdown (e.g. " " between two placeholder nodes).
BLANK = (" \t\n\r\f\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200b)))
         + "\u202f\u205f\u3000")


def _norm(v):
    # Boost.JSON and Python read 5E-1 / 1.0 / 1 differently: compare numbers
    # by value, as the tests' same() does.
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, list):
        return [_norm(x) for x in v]
    if isinstance(v, dict):
        return {k: _norm(x) for k, x in v.items()}
    return v


def _fields_digest(rec: dict, keys: tuple, typ: str) -> bytes:
    h = hashlib.sha1()
    for k in keys:
        if k in ("acl", "text", "text_contains"):
            continue  # compared apart
        h.update(k.encode() + b"\x00")
        if k in rec:
            h.update(json.dumps(_norm(rec[k]), sort_keys=True,
                                ensure_ascii=False).encode())
        else:
            h.update(b"\x01absent")
        h.update(b"\x00")
    return h.digest()


def _key(rec: dict) -> str:
    rid = rec.get("id", rec.get("account_id"))
    return f"{rec.get('type')}:{rid}"


class _truth_record:
    __slots__ = ("keys", "digest", "has_text", "text", "acl", "contains")

    def __init__(self, keys, digest, has_text, text, acl, contains=None):
        self.keys, self.digest, self.has_text = keys, digest, has_text
        self.text, self.acl, self.contains = text, acl, contains


def _text_expectation(v):
    """What an attachment's exported text must be: ("eq", sha of the value)
    or, over the cap, ("cap", {length: sha of the prefix of that length})
    for the lengths a cut at a character boundary may leave."""
    if not isinstance(v, str):
        return ("eq", hashlib.sha1(json.dumps(v).encode()).digest())
    b = v.encode()
    if len(b) <= TEXT_CAP:
        return ("eq", hashlib.sha1(json.dumps(v).encode()).digest())
    return ("cap", {n: hashlib.sha1(b[:n]).digest()
                    for n in range(TEXT_CAP - 3, TEXT_CAP + 1)})


def _first_missing_in_order(text, wanted):
    """The first of `wanted` that `text` does not contain after the
    previous one, or None (a real document's text_contains, issue 16)."""
    text = text if isinstance(text, str) else ""
    at = 0
    for s in wanted:
        pos = text.find(s, at)
        if pos < 0:
            return s
        at = pos + len(s)
    return None


def _text_matches(expect, w) -> bool:
    kind, val = expect
    if kind == "eq":
        return hashlib.sha1(json.dumps(w).encode()).digest() == val
    if not isinstance(w, str):
        return False
    b = w.encode()
    return len(b) in val and hashlib.sha1(b).digest() == val[len(b)]


def read_truth(lines, account_id: str):
    """The truth as the API user sees it: ({key: _truth_record}, {acl id:
    (anyone, frozenset users)}, records hidden from it)."""
    acls, records, hidden, interned = {}, {}, 0, {}
    for line in lines:
        if not line.strip():
            continue
        rec = json.loads(line)
        typ = rec.get("type")
        if typ == "acl":
            acls[rec["id"]] = (bool(rec.get("anyone")),
                               frozenset(rec.get("users", [])))
            continue
        acl = rec.get("acl")
        if acl is not None and account_id not in acls.get(acl, (0, ()))[1]:
            hidden += 1
            continue
        keys = tuple(rec.keys())
        keys = interned.setdefault(keys, keys)
        has_text, text = False, None
        if typ in ("issue", "comment") and "text" in rec:
            # Blank text renders as nothing (tests/integration/
            # export_data.hpp: is_blank_text, truth_has_text).
            has_text = any(isinstance(s, str) and s.strip(BLANK)
                           for s in rec["text"] or [])
        elif typ == "attachment" and "text" in rec:
            text = _text_expectation(rec["text"])
        records[_key(rec)] = _truth_record(
            keys, _fields_digest(rec, keys, typ), has_text, text, acl,
            rec.get("text_contains"))
    return records, acls, hidden


def _kind(msg: str) -> str:
    """"missing attachment", "comment: markdown presence differs", ..."""
    head, _, rest = msg.partition(" ")
    if head in ("missing", "extra"):
        return head + " " + rest.split(":", 1)[0]
    typ = head.split(":", 1)[0]
    return typ + ": " + msg.split(": ", 1)[1].split(" (", 1)[0]


def compare(truth_lines, export_lines, account_id: str,
            max_listed: int = 300) -> dict:
    """{equal, records, hidden, per_type, mismatches, by_kind, first:
    [lines]}."""
    truth, tacls, hidden = read_truth(truth_lines, account_id)
    eacls, seen, diffs, per_type = {}, set(), [], {}

    def diff(msg):
        diffs.append(msg)

    for line in export_lines:
        if not line.strip():
            continue
        rec = json.loads(line)
        typ = rec.get("type")
        if typ == "acl":
            eacls[rec["id"]] = (bool(rec.get("anyone")),
                                frozenset(rec.get("users", [])))
            continue
        key = _key(rec)
        per_type[typ] = per_type.get(typ, 0) + 1
        t = truth.get(key)
        if t is None:
            diff("extra " + key)
            continue
        seen.add(key)
        if _fields_digest(rec, t.keys, typ) != t.digest:
            diff(f"{key}: fields differ")
        if typ in ("issue", "comment") and "text" in t.keys:
            md = rec.get("markdown")
            if "markdown" not in rec or (t.has_text and not md):
                diff(f"{key}: markdown presence differs")
        elif t.text is not None and not _text_matches(t.text,
                                                      rec.get("text")):
            diff(f"{key}: attachment text differs")
        if t.contains is not None:
            missing = _first_missing_in_order(rec.get("text"), t.contains)
            if missing is not None:
                diff(f'{key}: text lacks "{missing}" (in order)')
        if t.acl is not None:
            ea = eacls.get(rec.get("acl"))
            ta = tacls.get(t.acl)
            if ea is None or ta is None:
                diff(f"{key}: acl line missing")
            elif ea != ta:
                diff(f"{key}: acl differs (truth {len(ta[1])} users, "
                     f"export {len(ea[1])})")
    for key in truth.keys() - seen:
        diff("missing " + key)
    return {"equal": not diffs, "records": len(truth), "hidden": hidden,
            "per_type": per_type, "mismatches": len(diffs),
            "by_kind": {k: sum(1 for d in diffs if _kind(d) == k)
                        for k in sorted({_kind(d) for d in diffs})},
            "first": sorted(diffs)[:max_listed]}
