#!/usr/bin/env python3
"""The baseline of scripts/bench: what an analyst would write instead of casebridge.

    python3 scripts/bench_lxml.py EXPORT.xml STAGING.sqlite

Streams an LCE2 export (docs/export-format.md) with lxml.etree.iterparse over end events, pulls out
the records the default mapping extracts (Team, Worker, Person + Status + Allocation, Family + Member,
Document + Manifest, Part, Section, Plan + Outcome + Action, Visit, Deleted) into SQLite tables in
one transaction, decodes every inline Part's base64, reads every href Part's file, hashes each part
and each document's parts concatenated in seq order with SHA-256, and clears every record once read
so that memory stays flat.

It is meant to be the plain, natural script, not a tuned one: no field validation, no rules, no
indexes. Prints one summary line to stderr.
"""

import base64
import binascii
import hashlib
import os
import sqlite3
import sys
import time

from lxml import etree

NS = "{urn:lce:2}"

SCHEMA = """
CREATE TABLE export (export_id TEXT, sequence TEXT, kind TEXT, exported_at TEXT, since TEXT,
                     schema_version TEXT, system TEXT, authority TEXT);
CREATE TABLE team (id TEXT, name TEXT);
CREATE TABLE worker (id TEXT, team TEXT, name TEXT, role TEXT);
CREATE TABLE person (id TEXT, kind TEXT, forename TEXT, surname TEXT, birth_date TEXT, gender TEXT,
                     ethnicity TEXT, last_modified TEXT);
CREATE TABLE status (person TEXT, code TEXT, from_date TEXT, to_date TEXT);
CREATE TABLE allocation (person TEXT, team TEXT, worker TEXT, from_date TEXT, to_date TEXT);
CREATE TABLE family (id TEXT, name TEXT);
CREATE TABLE member (family TEXT, person TEXT, role TEXT, from_date TEXT, to_date TEXT);
CREATE TABLE document (id TEXT, person TEXT, type TEXT, scope TEXT, family TEXT, origin TEXT,
                       version TEXT, title TEXT, event_date TEXT, recorded_at TEXT, uploaded_at TEXT,
                       author TEXT, manifest_parts TEXT, manifest_bytes TEXT, manifest_sha256 TEXT,
                       actual_parts INTEGER, actual_bytes INTEGER, actual_sha256 TEXT);
CREATE TABLE part (document TEXT, seq TEXT, mime TEXT, bytes TEXT, sha256 TEXT, encoding TEXT,
                   href TEXT, actual_bytes INTEGER, actual_sha256 TEXT, error TEXT);
CREATE TABLE section (document TEXT, name TEXT, text TEXT);
CREATE TABLE plan (id TEXT, person TEXT, type TEXT, start TEXT, end TEXT, review_due TEXT);
CREATE TABLE outcome (plan TEXT, id TEXT, target_date TEXT, text TEXT);
CREATE TABLE action (plan TEXT, id TEXT, owner TEXT, due TEXT, text TEXT);
CREATE TABLE visit (id TEXT, person TEXT, date TEXT, seen_alone TEXT, worker TEXT);
CREATE TABLE deleted (kind TEXT, id TEXT);
"""


def attr(elem, name):
    """An attribute's trimmed value, None when absent or blank."""
    value = elem.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def child_text(elem, name):
    """The trimmed text of the first child element NAME, None when absent or blank."""
    child = elem.find(NS + name)
    if child is None:
        return None
    return text_of(child)


def text_of(elem):
    value = "".join(elem.itertext()).strip()
    return value or None


def child_attr(elem, name, attribute):
    child = elem.find(NS + name)
    if child is None:
        return None
    return attr(child, attribute)


def part_content(part, export_dir):
    """The decoded bytes of a Part, or (None, reason)."""
    href = attr(part, "href")
    if href is not None:
        if os.path.isabs(href):
            return None, "absolute href"
        path = os.path.realpath(os.path.join(export_dir, href))
        if not path.startswith(export_dir + os.sep):
            return None, "href leaves the export folder"
        try:
            with open(path, "rb") as f:
                return f.read(), None
        except OSError as e:
            return None, "unreadable: %s" % e.strerror
    text = part.text or ""
    try:
        return base64.b64decode("".join(text.split()), validate=True), None
    except (binascii.Error, ValueError) as e:
        return None, "bad base64: %s" % e


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: bench_lxml.py EXPORT.xml STAGING.sqlite\n")
        return 2
    export_path, db_path = sys.argv[1], sys.argv[2]
    export_dir = os.path.dirname(os.path.realpath(export_path))
    started = time.time()

    if os.path.exists(db_path):
        os.remove(db_path)
    db = sqlite3.connect(db_path)
    db.executescript(SCHEMA)
    counts = {}

    def insert(table, row):
        db.execute("INSERT INTO %s VALUES (%s)" % (table, ",".join("?" * len(row))), row)
        counts[table] = counts.get(table, 0) + 1

    def team(e):
        insert("team", (attr(e, "id"), child_text(e, "Name")))

    def worker(e):
        insert("worker", (attr(e, "id"), attr(e, "team"), child_text(e, "Name"), child_text(e, "Role")))

    def person(e):
        pid = attr(e, "id")
        insert("person", (pid, attr(e, "kind"), child_text(e, "Forename"), child_text(e, "Surname"),
                          child_text(e, "BirthDate"), child_text(e, "Gender"), child_text(e, "Ethnicity"),
                          child_text(e, "LastModified")))
        for s in e.iterfind(NS + "Status"):
            insert("status", (pid, attr(s, "code"), attr(s, "from"), attr(s, "to")))
        for a in e.iterfind(NS + "Allocation"):
            insert("allocation", (pid, attr(a, "team"), attr(a, "worker"), attr(a, "from"), attr(a, "to")))

    def family(e):
        fid = attr(e, "id")
        insert("family", (fid, child_text(e, "Name")))
        for m in e.iterfind(NS + "Member"):
            insert("member", (fid, attr(m, "person"), attr(m, "role"), attr(m, "from"), attr(m, "to")))

    def document(e):
        did = attr(e, "id")
        parts = []
        for p in e.iterfind(NS + "Part"):
            data, error = part_content(p, export_dir)
            actual_bytes = actual_sha = None
            if data is not None:
                actual_bytes, actual_sha = len(data), hashlib.sha256(data).hexdigest()
            seq = attr(p, "seq")
            insert("part", (did, seq, attr(p, "mime"), attr(p, "bytes"), attr(p, "sha256"),
                            attr(p, "encoding"), attr(p, "href"), actual_bytes, actual_sha, error))
            parts.append((int(seq) if seq and seq.isdigit() else 0, data))
        whole = hashlib.sha256()
        total = 0
        for _, data in sorted(parts, key=lambda item: item[0]):
            if data is not None:
                whole.update(data)
                total += len(data)
        insert("document", (did, attr(e, "person"), attr(e, "type"), attr(e, "scope"), attr(e, "family"),
                            attr(e, "origin"), attr(e, "version"), child_text(e, "Title"),
                            child_text(e, "EventDate"), child_text(e, "RecordedAt"),
                            child_text(e, "UploadedAt"), child_attr(e, "Author", "worker"),
                            child_attr(e, "Manifest", "parts"), child_attr(e, "Manifest", "bytes"),
                            child_attr(e, "Manifest", "sha256"), len(parts), total, whole.hexdigest()))
        for s in e.iterfind(NS + "Section"):
            insert("section", (did, attr(s, "name"), text_of(s)))

    def plan(e):
        pid = attr(e, "id")
        insert("plan", (pid, attr(e, "person"), attr(e, "type"), attr(e, "start"), attr(e, "end"),
                        attr(e, "reviewDue")))
        for o in e.iterfind(NS + "Outcome"):
            insert("outcome", (pid, attr(o, "id"), attr(o, "targetDate"), text_of(o)))
        for a in e.iterfind(NS + "Action"):
            insert("action", (pid, attr(a, "id"), attr(a, "owner"), attr(a, "due"), text_of(a)))

    def visit(e):
        insert("visit", (attr(e, "id"), attr(e, "person"), attr(e, "date"), attr(e, "seenAlone"),
                         attr(e, "worker")))

    def deleted(e):
        insert("deleted", (attr(e, "kind"), attr(e, "id")))

    # record element -> (the section it must sit in, its handler)
    handlers = {
        NS + "Team": (NS + "Teams", team),
        NS + "Worker": (NS + "Workers", worker),
        NS + "Person": (NS + "People", person),
        NS + "Family": (NS + "Families", family),
        NS + "Document": (NS + "Documents", document),
        NS + "Plan": (NS + "Plans", plan),
        NS + "Visit": (NS + "Visits", visit),
        NS + "Deleted": (NS + "Deletions", deleted),
    }

    context = etree.iterparse(export_path, events=("end",), resolve_entities=False, no_network=True,
                              huge_tree=True)
    root = None
    for _, elem in context:
        handler = handlers.get(elem.tag)
        if handler is None:
            continue
        parent = elem.getparent()
        if parent is None or parent.tag != handler[0]:
            continue
        handler[1](elem)
        root = parent.getparent()
        # Free the record, and the records before it, so the tree never grows.
        elem.clear()
        while elem.getprevious() is not None:
            del parent[0]

    if root is None:
        root = context.root
    if root is not None and root.tag == NS + "CaseExport":
        insert("export", (attr(root, "exportId"), attr(root, "sequence"), attr(root, "kind"),
                          attr(root, "exportedAt"), attr(root, "since"), attr(root, "schemaVersion"),
                          attr(root, "system"), attr(root, "authority")))
    db.commit()
    db.close()

    elapsed = time.time() - started
    size = os.path.getsize(export_path)
    summary = ", ".join("%s %d" % (k, v) for k, v in sorted(counts.items()))
    sys.stderr.write("bench_lxml: %.1f MB in %.2f s (%.0f MB/s): %s\n"
                     % (size / 1e6, elapsed, size / 1e6 / max(elapsed, 1e-9), summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
