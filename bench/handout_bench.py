"""Handout PDF render time of the long seed article (seed 001), in-process.

    .venv/bin/python bench/handout_bench.py [--runs 9] [--save FOLDER]

The script builds a throwaway SQLite database in a temporary folder, loads the demo
content with `manage.py load_demo` and times the handout PDF view for the article made
from seed 001 (shared/seeds/001_*.txt), through the view itself: the database queries,
the template, the QR code and WeasyPrint's layout and PDF writing. If the demo content
cannot be loaded, it times a generated article of the same shape instead and says so.
It reports the median of the timed runs (after one warm-up run) for normal and large
print and writes them to bench/results/handout-<date>.txt.
"""

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
SEED_SOURCE = "seeds/001_"


def setup_django(folder):
    """Point Django at a fresh SQLite database in folder and migrate it."""
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = str(Path(folder) / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def demo_article():
    """Return (article, how it was made) for seed 001 from the demo content, or None."""
    import json
    from io import StringIO

    from django.core.management import call_command

    from articles.models import Article

    try:
        call_command("load_demo", stdout=StringIO())
    except Exception as error:  # any failure means: fall back to a generated article
        print(f"load_demo failed ({error}); timing a generated article instead")
        return None
    for path in sorted((BASE_DIR / "articles" / "demo").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if SEED_SOURCE in data.get("source", ""):
            article = Article.objects.filter(slug=data["slug"]).first()
            if article:
                return article, f"demo article from {data['source']} (manage.py load_demo)"
    print("seed 001 is not among the demo articles; timing a generated article instead")
    return None


def generated_article():
    """Return (article, how it was made) for a generated article shaped like seed 001."""
    from tests.conftest import make_clinic, make_long_article

    make_clinic()
    return make_long_article(), "generated article shaped like seed 001 (tests.conftest)"


def time_view(article, runs, save_to, **query):
    """Return (seconds per run, pages) for the handout PDF view; keep the last PDF at save_to."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from articles.handouts import handout_pdf

    request = RequestFactory().get("/", query, HTTP_HOST="localhost")
    request.user = AnonymousUser()
    # One warm-up: imports, font discovery and the first stylesheet parse happen once a process.
    response = handout_pdf(request, article.slug)
    assert response.status_code == 200, response.status_code
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = handout_pdf(request, article.slug)
        timings.append(time.perf_counter() - started)
    save_to.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(save_to)], capture_output=True, text=True).stdout
    pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
    return timings, pages


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs per variant (>= 5)")
    parser.add_argument("--save", type=Path, help="also keep the PDFs in this folder, to look at")
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("use at least 5 runs for a median")

    with tempfile.TemporaryDirectory() as folder:
        setup_django(folder)
        import weasyprint

        from articles.models import Article

        article, source = demo_article() or generated_article()
        article = Article.objects.get(pk=article.pk)
        if not Article.objects.live().filter(pk=article.pk).exists():
            raise SystemExit(f"The article {article.slug} is not published; cannot time it.")
        lines = [
            f"Handout PDF benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"WeasyPrint {weasyprint.__version__}",
            " ".join(["Command: .venv/bin/python bench/handout_bench.py", *sys.argv[1:]]),
            "Load average (1, 5, 15 min) at start: "
            + ", ".join(f"{load:.1f}" for load in os.getloadavg())
            + " (other work on the machine slows the runs; compare medians on a quiet one).",
            "Pages counted with pdfinfo (poppler-utils).",
            f"Article: {article.title} ({article.slug}), {source}",
            f"  {article.sections.count()} sections, {article.faqs.count()} FAQs, "
            f"{article.quotes.count()} quotes, {article.citations.count()} references, "
            f"{article.word_count} words",
            f"Timed: the handout PDF view in-process (queries, template, QR code, WeasyPrint), "
            f"{args.runs} runs after one warm-up.",
        ]
        for name, label, query in [
            ("normal", "normal print, A4", {}),
            ("large", "large print, A4", {"size": "large"}),
        ]:
            pdf = Path(folder) / f"{article.slug}-{name}.pdf"
            timings, pages = time_view(article, args.runs, pdf, **query)
            lines.append(
                f"{label}: median {statistics.median(timings) * 1000:.0f} ms, "
                f"min {min(timings) * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms; "
                f"{pages} pages, {pdf.stat().st_size / 1024:.0f} KB"
            )
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                shutil.copy(pdf, args.save / pdf.name)

    report = "\n".join(lines) + "\n"
    print(report, end="")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"handout-{datetime.date.today():%Y-%m-%d}.txt"
    out.write_text(report, encoding="utf-8")
    print(f"written to {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
