"""Check the Brightpath sample corpus against the format contract and print an inventory.

This is a standalone sanity check for the files under ``examples/sample``; it does not
use Watercooler's parsers. It exits non-zero if any check fails.

Usage (from the repository root)::

    .venv/bin/python examples/tools/check_sample.py
"""

from __future__ import annotations

import html
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pptx
import yaml
from pdfminer.high_level import extract_text
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent / "sample"
EARLIEST, LATEST = date(2022, 1, 1), date(2026, 10, 31)
# Authors that appear in the corpus on purpose without a people.yaml entry.
KNOWN_UNKNOWN = {"gareth.holloway@brightpath.example", "Gareth Holloway", "Dr. Elena Marsh"}

MW = "{http://www.mediawiki.org/xml/export-0.11/}"
ATOM = "{http://www.w3.org/2005/Atom}"
WP = "{http://wordpress.org/export/1.2/}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"

errors: list[str] = []
counts: Counter[str] = Counter()


def fail(message: str) -> None:
    errors.append(message)


def check_date(where: str, value: object) -> None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if not isinstance(value, date) or not EARLIEST <= value <= LATEST:
        fail(f"{where}: date {value!r} outside {EARLIEST}..{LATEST}")


def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if not match:
        fail(f"{path}: no YAML front matter")
        return {}, text
    return yaml.safe_load(match.group(1)) or {}, text[match.end() :]


def people() -> tuple[set[str], set[str]]:
    entries = yaml.safe_load((ROOT / "people.yaml").read_text(encoding="utf-8"))
    emails, names = set(), set()
    teams, zones = set(), set()
    for p in entries:
        for key in ("name", "email", "team", "title", "timezone", "chat", "aliases"):
            if key not in p:
                fail(f"people.yaml: {p.get('name')} lacks {key}")
        ZoneInfo(p["timezone"])
        if not p["email"].endswith("@brightpath.example"):
            fail(f"people.yaml: bad email {p['email']}")
        emails.add(p["email"])
        names.add(p["name"])
        names.update(p["aliases"])
        teams.add(p["team"])
        zones.add(p["timezone"])
    print(f"people: {len(entries)} people, {len(teams)} teams, {len(zones)} time zones")
    print(f"  teams: {', '.join(sorted(teams))}")
    print(f"  time zones: {', '.join(sorted(zones))}")
    return emails, names


def known(author: str, emails: set[str], names: set[str]) -> bool:
    return author in emails or author in names or author in KNOWN_UNKNOWN


def check_mediawiki(names: set[str]) -> None:
    root = ET.parse(ROOT / "wiki/brightpath-wiki.xml").getroot()
    for page in root.findall(MW + "page"):
        title = page.findtext(MW + "title")
        revs = page.findall(MW + "revision")
        latest = revs[-1]
        if page.findtext(MW + "ns") != "0" or page.find(MW + "redirect") is not None:
            counts["wiki: skipped (non-main namespace or redirect)"] += 1
            continue
        counts["wiki: mediawiki pages"] += 1
        check_date(f"wiki {title}", latest.findtext(MW + "timestamp"))
        for rev in revs:
            user = rev.findtext(f"{MW}contributor/{MW}username")
            if user not in names and user not in {"GHolloway"}:
                fail(f"wiki {title}: contributor {user} not resolvable")
        text = latest.findtext(MW + "text") or ""
        if "[[Category:" not in text:
            fail(f"wiki {title}: no categories")


def check_markdown(path: Path, source_root: Path, emails: set[str], names: set[str]) -> dict:
    meta, body = front_matter(path)
    for key in ("title", "created", "updated", "tags"):
        if key not in meta:
            fail(f"{path}: front matter lacks {key}")
    authors = meta.get("authors") or ([meta["author"]] if meta.get("author") else [])
    if not authors:
        fail(f"{path}: no authors")
    for a in authors + list(meta.get("owners") or []):
        if not known(a, emails, names):
            fail(f"{path}: unknown author/owner {a}")
    check_date(str(path), meta.get("created"))
    check_date(str(path), meta.get("updated"))
    if meta.get("superseded_by") and not (source_root / meta["superseded_by"]).exists():
        fail(f"{path}: superseded_by target {meta['superseded_by']} missing")
    if not re.search(r"^#{1,3} ", body, re.M):
        fail(f"{path}: no headings")
    return meta


def check_feeds(emails: set[str], names: set[str]) -> None:
    rss = ET.parse(ROOT / "blog/engineering.rss").getroot()
    for item in rss.iter("item"):
        counts["blog: rss items"] += 1
        author = item.findtext("author") or item.findtext(DC + "creator")
        author = re.sub(r"\s*\(.*\)$", "", author or "")
        if not known(author, emails, names):
            fail(f"rss {item.findtext('title')}: unknown author {author}")
        check_date(
            "rss", datetime.strptime(item.findtext("pubDate") or "", "%a, %d %b %Y %H:%M:%S %z")
        )
    atom = ET.parse(ROOT / "blog/news.atom").getroot()
    for entry in atom.findall(ATOM + "entry"):
        counts["blog: atom entries"] += 1
        email = entry.findtext(f"{ATOM}author/{ATOM}email")
        if email not in emails:
            fail(f"atom: unknown author {email}")
        html.unescape(entry.findtext(ATOM + "content") or "")
        check_date("atom", entry.findtext(ATOM + "published"))
    wxr = ET.parse(ROOT / "blog/learning-blog.wordpress.xml").getroot()
    logins = {
        a.findtext(WP + "author_login"): a.findtext(WP + "author_email")
        for a in wxr.iter(WP + "author")
    }
    for item in wxr.iter("item"):
        kind, status = item.findtext(WP + "post_type"), item.findtext(WP + "status")
        if kind != "post" or status != "publish":
            counts[f"blog: wxr skipped ({kind}/{status})"] += 1
            continue
        counts["blog: wxr posts"] += 1
        login = item.findtext(DC + "creator")
        if login not in logins:
            fail(f"wxr: creator {login} not in wp:author list")
        comments = item.iter(WP + "comment")
        approved = [c for c in comments if c.findtext(WP + "comment_approved") == "1"]
        if approved:
            counts["blog: wxr posts with approved comments"] += 1
        check_date("wxr", item.findtext(WP + "post_date"))


class _HTMLMeta(HTMLParser):
    """Collects <title>, <meta name=...> and h1/h2 headings."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.meta: dict[str, str] = {}
        self.headings: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name"):
            self.meta[values["name"] or ""] = values.get("content") or ""
        if tag in ("title", "h1", "h2"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in in ("h1", "h2"):
            self.headings.append(data)


def check_docs(emails: set[str], names: set[str]) -> None:
    for source in ("docs", "hr", "leadership", "finance"):
        for path in sorted((ROOT / source).rglob("*")):
            if path.is_dir():
                continue
            ext = path.suffix.lstrip(".")
            counts[f"doc: {ext}"] += 1
            rel = path.relative_to(ROOT)
            if ext == "md":
                check_markdown(path, ROOT / source, emails, names)
            elif ext == "rst":
                text = path.read_text(encoding="utf-8")
                for field in (":Author:", ":Date:", ":Tags:"):
                    if field not in text[:600]:
                        fail(f"{rel}: docinfo lacks {field}")
            elif ext == "html":
                text = path.read_text(encoding="utf-8")
                parser = _HTMLMeta()
                parser.feed(text)
                if not parser.title or not parser.headings:
                    fail(f"{rel}: HTML without <title> or headings")
                if "<title>" not in text or "<h1>" not in text:
                    fail(f"{rel}: no <title> or <h1>")
                if 'name="author"' not in text:
                    counts["doc: html without author meta (owners file)"] += 1
            elif ext == "txt":
                path.read_text(encoding="utf-8")
            elif ext == "pdf":
                info: dict = dict(PdfReader(path).metadata or {})
                for key in ("/Title", "/Author", "/CreationDate", "/Keywords"):
                    if not info.get(key):
                        fail(f"{rel}: PDF info lacks {key}")
                if len(extract_text(path).split()) < 150:
                    fail(f"{rel}: too little extractable text")
            elif ext in ("docx", "pptx"):
                doc = docx.Document(str(path)) if ext == "docx" else pptx.Presentation(str(path))
                props = doc.core_properties
                if not (props.author and props.title and props.keywords and props.created):
                    fail(f"{rel}: core properties incomplete")
                check_date(str(rel), props.created)
            else:
                fail(f"{rel}: unexpected file type")


TIMING = {
    "vtt": re.compile(r"^(\d\d:)?\d\d:\d\d\.\d{3} --> (\d\d:)?\d\d:\d\d\.\d{3}"),
    "srt": re.compile(r"^\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}$"),
}


def check_videos(emails: set[str], names: set[str]) -> None:
    for path in sorted((ROOT / "videos").glob("*")):
        if path.suffix == ".yaml":
            continue
        ext = path.suffix.lstrip(".")
        counts[f"video: {ext}"] += 1
        lines = path.read_text(encoding="utf-8").splitlines()
        if ext == "vtt" and lines[0] != "WEBVTT":
            fail(f"{path.name}: missing WEBVTT header")
        cues = [line for line in lines if TIMING[ext].match(line)]
        last = cues[-1].split(" --> ")[1].replace(",", ".")
        h, m, s = last.split(":")
        minutes = (int(h) * 3600 + int(m) * 60 + float(s)) / 60
        if not 40 <= len(cues) <= 150 or not 5 <= minutes <= 20:
            fail(f"{path.name}: {len(cues)} cues, {minutes:.1f} minutes")
        sidecar = path.with_suffix(".yaml")
        if sidecar.exists():
            meta = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
            for key in ("title", "url", "presenter", "date", "tags"):
                if key not in meta:
                    fail(f"{sidecar.name}: lacks {key}")
            if str(meta["presenter"]) not in emails | names:
                counts["video: presenter not in people.yaml"] += 1
            check_date(sidecar.name, meta["date"])
        else:
            counts["video: without sidecar"] += 1


def owners_rules() -> list[tuple[re.Pattern[str], list[str]]]:
    rules = []
    for line in (ROOT / "OWNERS").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, *owners = line.split()
        anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
        body = pattern.strip("/")
        regex = re.escape(body).replace(r"\*\*/", "(?:.*/)?").replace(r"\*\*", ".*")
        regex = regex.replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        regex = ("^" if anchored else "^(?:.*/)?") + regex
        regex += "(?:/.*)?$" if pattern.endswith("/") or "*" not in body else "$"
        rules.append((re.compile(regex), owners))
    return rules


def owners_for(rel: str, rules: list[tuple[re.Pattern[str], list[str]]]) -> list[str]:
    found: list[str] = []
    for regex, owners in rules:
        if regex.match(rel):
            found = owners
    return found


def check_owners(emails: set[str]) -> None:
    rules = owners_rules()
    for _, owners in rules:
        for owner in owners:
            if owner not in emails:
                fail(f"OWNERS: {owner} not in people.yaml")
    must_have = [p for p in (ROOT / "docs").rglob("*.txt")]
    must_have += [
        p for p in (ROOT / "docs").rglob("*.html") if 'name="author"' not in p.read_text("utf-8")
    ]
    must_have += [
        p for p in (ROOT / "videos").glob("*.*[tv]") if not p.with_suffix(".yaml").exists()
    ]
    for path in must_have:
        rel = path.relative_to(ROOT).as_posix()
        owners = owners_for(rel, rules)
        print(f"  owners {rel}: {', '.join(owners) or 'NONE'}")
        if not owners:
            fail(f"OWNERS: no owner for authorless {rel}")


def main() -> int:
    sys.path.insert(0, str(ROOT.parent.parent))
    from core.sources import load_sources

    config = load_sources(ROOT / "watercooler.yaml")
    for source in config.sources:
        if not source.path.exists():
            fail(f"source {source.name}: {source.path} missing")
    emails, names = people()
    check_mediawiki(names)
    for path in sorted((ROOT / "wiki-md").rglob("*.md")):
        counts["wiki: markdown pages"] += 1
        meta = check_markdown(path, ROOT / "wiki-md", emails, names)
        if meta.get("groups"):
            counts["wiki: markdown pages with groups"] += 1
    check_feeds(emails, names)
    check_docs(emails, names)
    check_videos(emails, names)
    check_owners(emails)
    for key in sorted(counts):
        print(f"{key}: {counts[key]}")
    for message in errors:
        print("ERROR", message)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
