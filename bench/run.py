"""Measure the portal's pages against the static-file ceiling (`make bench`).

Builds a throwaway SQLite site in bench/work/ (the demo articles plus generated ones of
the same shape), starts two production-like gunicorn servers on 127.0.0.1 — one with the
page cache, one without — and a static copy of the article's HTML served by the same
gunicorn + WhiteNoise stack: the ceiling. wrk loads each page in short rounds, the
variants alternating so that drift in the machine hits all of them alike; the table
gives each page's median requests/s and its ratio to the ceiling's median.
"""

import argparse
import contextlib
import datetime
import gzip
import io
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "report.lua"
HOST = "127.0.0.1"
CEILING_FILE = "bench-article.html"
SEARCH_QUERY = "magnesium"
STARTUP_TIMEOUT = 30

WRK_MISSING = """wrk, the load generator, is not installed.
Install it from Debian's packages:  sudo apt-get install wrk
(on macOS: brew install wrk), then run `make bench` again."""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per variant (default 5)")
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers per server (2: one per core)"
    )
    parser.add_argument("--articles", type=int, default=200, help="generated articles (200)")
    parser.add_argument(
        "--cache-url",
        default="locmem://",
        help="cache of the cached server: locmem:// (default) or redis://127.0.0.1:6379/0",
    )
    parser.add_argument("--no-save", action="store_true", help="print the table only")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the site bench/work holds from the last run"
    )
    return parser.parse_args()


def server_env(cache_url, page_cache=True):
    """Return the environment of a production-like server on the bench database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CACHE_URL", "DATABASE_URL"}
    }
    return env | {
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        # Plain http on the loopback: no redirect to https.
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}",
        "STATIC_ROOT": str(WORK / "static"),
        "MEDIA_ROOT": str(WORK / "media"),
        "PAGE_CACHE_STAMP_FILE": str(WORK / "page-cache-stamp"),
        "CACHE_URL": cache_url,
        "PAGE_CACHE": "1" if page_cache else "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


SECRET_KEY = secrets.token_urlsafe(50)


# --- Content ---------------------------------------------------------------------

WORDS = (  # noqa: SIM905 - a word list reads best as text
    "sleep muscle nerve calm body legs evening rest doctor dose food diet habit "
    "stretch walk water iron vitamin mineral symptom relief night routine caffeine "
    "stress mood energy focus study trial review research dietitian patient daily "
    "gentle warm bath magnesium spinach almonds beans seeds balance signal brain "
    "dopamine tingling cramp "
).split()
TOPICS = [
    "Sleep",
    "Nutrition",
    "Heart health",
    "Diabetes",
    "Back pain",
    "Migraine",
    "Anxiety",
    "Pregnancy",
    "Healthy ageing",
    "Allergies",
    "Skin care",
    "Exercise",
]


def sentence(rng, cite=0):
    words = rng.choices(WORDS, k=rng.randint(9, 17))
    text = " ".join(words).capitalize()
    return text + (f" [{cite}]." if cite else ".")


def paragraph(rng, citations):
    sentences = [
        sentence(rng, rng.randint(1, citations) if citations and rng.random() < 0.3 else 0)
        for _ in range(rng.randint(2, 4))
    ]
    return "<p>" + " ".join(sentences) + "</p>"


def section_body(rng, citations):
    parts = [paragraph(rng, citations) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.4:
        parts.insert(0, f"<h3>{sentence(rng)[:-1][:60]}</h3>")
    if rng.random() < 0.4:
        items = "".join(f"<li>{sentence(rng)[:-1]}</li>" for _ in range(rng.randint(3, 5)))
        parts.append(f"<ul>{items}</ul>")
    return "".join(parts)


def generate(count):
    """Create count published articles shaped like the demo ones, in one transaction."""
    from django.db import transaction
    from django.utils import timezone

    from articles.models import (
        FAQ,
        Article,
        Citation,
        Quote,
        Reference,
        Section,
        Topic,
    )
    from articles.releases import publish
    from experts.models import Expert

    rng = random.Random(8)
    now = timezone.now()
    with transaction.atomic():
        experts = [
            Expert.objects.create(
                honorific="Dr",
                name=f"Bench Expert {n}",
                credentials="MD",
                role="Physician",
                affiliation="Bench Clinic",
                bio=paragraph(rng, 0) + paragraph(rng, 0),
            )
            for n in range(8)
        ]
        topics = [
            Topic.objects.get_or_create(name=name, defaults={"description": paragraph(rng, 0)})[0]
            for name in TOPICS
        ]
        references = Reference.objects.bulk_create(
            Reference(
                authors="Smith J, Jones K, Lee A",
                title=sentence(rng)[:-1],
                journal="J Bench Med",
                year=rng.randint(1995, 2025),
                volume=str(rng.randint(1, 60)),
                issue=str(rng.randint(1, 12)),
                pages=f"{rng.randint(1, 400)}-{rng.randint(401, 800)}",
                doi=f"10.5555/bench.{n}",
                study_type=Reference.StudyType.CLINICAL_TRIAL,
            )
            for n in range(80)
        )
        tags = sorted({rng.choice(WORDS) for _ in range(60)})
        for n in range(count):
            title = f"{sentence(rng)[:-1][:70]} {n}"
            article = Article.objects.create(
                title=title,
                summary=sentence(rng) + " " + sentence(rng),
                reviewed_by=rng.choice(experts),
                author=rng.choice(experts),
                last_reviewed=(now - datetime.timedelta(days=30)).date(),
                featured=n < 3,
            )
            cited = rng.sample(references, rng.randint(3, 8))
            Citation.objects.bulk_create(
                Citation(article=article, position=i, reference=ref)
                for i, ref in enumerate(cited, 1)
            )
            sections = Section.objects.bulk_create(
                Section(
                    article=article,
                    position=i,
                    heading=sentence(rng)[:-1][:80],
                    body=section_body(rng, len(cited)),
                )
                for i in range(1, rng.randint(8, 20) + 1)
            )
            Quote.objects.bulk_create(
                Quote(
                    article=article,
                    position=i,
                    expert=rng.choice(experts),
                    text=sentence(rng) + " " + sentence(rng),
                    section=rng.choice(sections),
                )
                for i in range(1, 3)
            )
            FAQ.objects.bulk_create(
                FAQ(
                    article=article,
                    position=i,
                    question=sentence(rng)[:-1] + "?",
                    answer=paragraph(rng, len(cited)),
                )
                for i in range(1, rng.randint(3, 6) + 1)
            )
            article.topics.set(rng.sample(topics, rng.randint(1, 2)))
            article.tags.set(rng.sample(tags, rng.randint(3, 6)))
            publish(
                article,
                user=None,
                reviewer=article.reviewed_by,
                reviewed_on=article.last_reviewed,
                go_live_at=now - datetime.timedelta(hours=n + 1),
            )


def build_site(count):
    """Create the bench database and content; return whether the demo articles were loaded."""
    from django.core.management import call_command, get_commands

    call_command("migrate", verbosity=0, interactive=False)
    demo = "load_demo" in get_commands()
    if demo:
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
    generate(count)
    if "rebuild_search_index" in get_commands():  # bulk_create bypasses the index's signals
        call_command("rebuild_search_index", verbosity=0, stdout=io.StringIO())
    return demo


def start_collectstatic():
    """Collect and compress the static files in the background (the slowest step)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=server_env("locmem://", page_cache=False),
        start_new_session=True,
    )


# --- Pages -----------------------------------------------------------------------


def pick_pages():
    """Return {name: path} for the article, home, topic and search pages."""
    from django.db.models import Count
    from django.urls import reverse

    from articles.models import Article, Topic

    published = Article.objects.live()
    article = published.filter(slug="magnesium-and-restless-leg-syndrome-guide").first()
    if article is None:  # no demo content: the generated article with the most sections
        article = published.annotate(n=Count("sections")).order_by("-n").first()
    topic = (
        Topic.objects.filter(articles__in=published)
        .annotate(n=Count("articles"))
        .order_by("-n", "name")
        .first()
    )
    return {
        "article": article.get_absolute_url(),
        "home": reverse("portal:home"),
        "topic": topic.get_absolute_url(),
        "search": reverse("portal:search") + f"?q={SEARCH_QUERY}",
    }


def inspect_pages(pages, host):
    """Render each page in process without a cache: status, queries, HTML, CSS files."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=host)
    found = {}
    for name, path in pages.items():
        client.get(path)  # the first request creates the clinic row if it is missing
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        found[name] = {
            "status": response.status_code,
            "queries": len(queries),
            "html": response.content if response.status_code == 200 else b"",
        }
    css = {}
    for href in re.findall(rb'<link rel="stylesheet" href="([^"]+)"', found["article"]["html"]):
        relative = href.decode().split(settings.STATIC_URL, 1)[-1]
        css[relative] = (Path(settings.STATIC_ROOT) / relative).read_bytes()
    return found, css


def gzipped(data):
    return len(gzip.compress(data, 9))


# --- Servers and load ------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(port, workers, cache_url, page_cache=True):
    """Start gunicorn in its own process group; return the process once it answers."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(cache_url, page_cache),
        start_new_session=True,
    )
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(
                f"gunicorn on port {port} stopped at start (exit {process.returncode})"
            )
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    stop_server(process)
    raise SystemExit(f"gunicorn on port {port} did not answer within {STARTUP_TIMEOUT} s")


def stop_server(process):
    """Stop a server: gunicorn stops its workers; then end anything left in its group."""
    if process.poll() is None:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


class Variant(NamedTuple):
    name: str
    url: str
    page: str
    kind: str  # static, cached, uncached or revalidated
    headers: tuple = ()


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as reply:
        return reply.status, reply.read(), reply.headers


def run_wrk(variant, args, duration):
    """Load the variant's URL with wrk; return its figures (requests/s, p50, p99, errors)."""
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s"]
    for header in variant.headers:
        command += ["-H", header]
    command += ["--timeout", "5s", "-s", str(LUA), variant.url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def make_variants(pages, found, cached, uncached):
    """Return what to load: the ceiling, then each page cached and uncached."""
    variants = [
        Variant("ceiling (static file)", f"{cached}/static/{CEILING_FILE}", "article", "static")
    ]
    for page, path in pages.items():
        if found[page]["status"] == 200:
            variants.append(Variant(f"{page} cached", cached + path, page, "cached"))
            variants.append(Variant(f"{page} uncached", uncached + path, page, "uncached"))
    for variant in list(variants):
        status, body, headers = fetch(variant.url)
        expected = variant.kind == "uncached" or body == found[variant.page]["html"]
        if status != 200 or not expected:
            raise SystemExit(f"{variant.name}: {variant.url} did not answer as expected")
        if variant.name == "article cached":  # and a browser revalidating its copy
            revalidate = (f"If-None-Match: {headers['ETag']}",)
            variants.insert(
                2, Variant("article 304", variant.url, "article", "revalidated", revalidate)
            )
            # and a browser that takes gzip: the copy compressed when the page was stored
            gzipped = ("Accept-Encoding: gzip",)
            variants.insert(
                3, Variant("article cached gzip", variant.url, "article", "cached", gzipped)
            )
    return variants


def measure(variants, args):
    """Warm each variant up, then load them in turn for args.rounds rounds."""
    results = {variant.name: [] for variant in variants}
    print(f"Warming up, then {args.rounds} rounds of {len(variants)} variants ...", flush=True)
    for variant in variants:
        run_wrk(variant, args, 1)
    for round_number in range(1, args.rounds + 1):
        for variant in variants:
            results[variant.name].append(run_wrk(variant, args, args.duration))
        print(f"  round {round_number}/{args.rounds} done", flush=True)
    return results


# --- Report ----------------------------------------------------------------------


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{socket.gethostname()}: {os.cpu_count()} CPUs ({cpu}), {platform.platform()}"


def commit():
    """Return the checked-out commit, marked when the tree has changes of its own."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return ""
    return f"{head} with uncommitted changes" if head and changes else head


def report(args, variants, results, found, css, demo, article_count, started):
    import django

    ceiling = statistics.median(r["rps"] for r in results[variants[0].name])
    lines = [
        f"# Portal benchmark, {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"machine:  {machine()}",
        f"software: Python {platform.python_version()}, Django {django.get_version()}, "
        f"commit {commit() or 'unknown'}",
        f"server:   gunicorn, {args.workers} sync workers per server, DEBUG=0, SQLite (WAL), "
        f"whitenoise; cached server cache: {args.cache_url}",
        f"content:  {'the demo articles + ' if demo else ''}{article_count} generated articles",
        f"load:     wrk -t{args.threads} -c{args.connections}, {args.rounds} rounds x "
        f"{args.duration} s per variant, variants alternating; figures are medians of rounds",
        "",
        f"{'page':<28} {'req/s':>8} {'x ceiling':>10} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'errors':>7} {'queries':>8} {'HTML':>8} {'gzip':>7}",
    ]
    for name, _, page, kind, _ in variants:
        runs = results[name]
        rps = statistics.median(r["rps"] for r in runs)
        p50 = statistics.median(r["p50_us"] for r in runs) / 1000
        p99 = statistics.median(r["p99_us"] for r in runs) / 1000
        errors = sum(sum(r["errors"].values()) for r in runs)
        html = b"" if kind == "revalidated" else found[page]["html"]
        queries = {"static": "-", "uncached": str(found[page]["queries"])}.get(kind, "0")
        lines.append(
            f"{name:<28} {rps:>8.0f} {rps / ceiling:>10.2f} {p50:>8.2f} {p99:>8.2f} "
            f"{errors:>7} {queries:>8} {len(html) / 1024:>7.1f}K {gzipped(html) / 1024:>6.1f}K"
        )
    missing = [name for name, page in found.items() if page["status"] != 200]
    for name in missing:
        lines.append(f"{name + ' page':<28} not measured: it answers {found[name]['status']}")
    lines += ["", "CSS on the article page (raw / gzip):"]
    for name, data in css.items():
        lines.append(f"  {name}: {len(data) / 1024:.1f}K / {gzipped(data) / 1024:.1f}K")
    total = b"".join(css.values())
    lines.append(f"  total: {len(total) / 1024:.1f}K / {gzipped(total) / 1024:.1f}K")
    lines += [
        "",
        "ceiling = the article page's HTML as a static file served by the same gunicorn +",
        "whitenoise; cached = anonymous visitor, page cache on (after a warm-up); 304 = a",
        "browser revalidating its copy (If-None-Match), answered from the cache; cached gzip",
        "= Accept-Encoding: gzip, answered with the copy gzipped when the page was stored (the",
        "ceiling file is sent as it is); uncached =",
        "a second server with PAGE_CACHE=0, which turns the page cache off, so every",
        "request runs the view. queries: counted in process on an uncached request; a cached",
        "page is answered before any view runs (0 queries, see tests/portal/test_cache.py).",
    ]
    return "\n".join(lines) + "\n"


# --- Main ------------------------------------------------------------------------


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        print(WRK_MISSING, file=sys.stderr)
        return 1
    started = datetime.datetime.now(datetime.UTC)
    reuse = args.reuse and (WORK / "bench.sqlite3").exists()
    if WORK.exists() and not reuse:
        shutil.rmtree(WORK)
    (WORK / "static").mkdir(parents=True, exist_ok=True)

    # Build the site in this process, with the page cache off so queries are counted.
    os.environ.update(server_env(args.cache_url, page_cache=False))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.core.management import get_commands

    print(f"Building the bench site in {WORK.relative_to(ROOT)} ...", flush=True)
    servers = [] if reuse else [start_collectstatic()]
    # Stop the servers on Ctrl-C and on kill too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        demo = "load_demo" in get_commands() if reuse else build_site(args.articles)
        pages = pick_pages()
        if servers and servers.pop().wait() != 0:
            raise SystemExit("collectstatic failed")
        cached_port, uncached_port = free_port(), free_port()
        found, css = inspect_pages(pages, f"{HOST}:{cached_port}")
        # The ceiling: the article's HTML as rendered for the cached server's address.
        (WORK / "static" / CEILING_FILE).write_bytes(found["article"]["html"])
        print("Starting gunicorn (cached and uncached) ...", flush=True)
        servers.append(start_server(cached_port, args.workers, args.cache_url))
        servers.append(start_server(uncached_port, args.workers, args.cache_url, False))
        cached, uncached = f"http://{HOST}:{cached_port}", f"http://{HOST}:{uncached_port}"
        variants = make_variants(pages, found, cached, uncached)
        results = measure(variants, args)
    finally:
        for server in servers:
            stop_server(server)

    table = report(args, variants, results, found, css, demo, args.articles, started)
    print()
    print(table)
    if not args.no_save:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{started:%Y-%m-%d}-{socket.gethostname()}.txt"
        path.write_text(table)
        print(f"Saved to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
