"""Search latency: 2,000 generated articles, 20 typical queries, on SQLite and PostgreSQL.

    .venv/bin/python bench/search_bench.py [--articles 2000] [--repeat 10]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres] [--skip-postgres]

For each database the script builds a throwaway copy (a temporary SQLite file; a
PostgreSQL database named portal_search_bench, created and dropped on the server
given), generates articles shaped like the seeds (5-25 sections with sub-headings and
lists, FAQs, a quote, topics and tags; 90% published, 5% drafts, 5% scheduled), builds
the search index, then times each query through the search view in-process
(RequestFactory: search, ranking, snippets and the rendered page; no network, no page
cache). It reports the median and 95th percentile over all timed requests and writes
them to bench/results/search-<date>.txt.

Each article is about one condition and treatment. Two sentences in five are health
sentences built from the lists below; the rest are common English words drawn with
the long-tailed frequencies of real prose, plus made-up rare words (drug and gene
names), so some queries match most articles and others a handful.
"""

import argparse
import collections
import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = BASE_DIR / "bench" / "results"
BENCH_DB = "portal_search_bench"

QUERIES = [
    "magnesium",
    "restless legs",
    "sleep",
    "sleeping problems",
    '"restless legs syndrome"',
    "glycinate",
    "vitamin d deficiency",
    "iron",
    "headache",
    "back pain",
    "blood pressure",
    "diabetes diet",
    "anxiety",
    "Ehsani",
    "pregnancy",
    '"high blood pressure"',
    "cholesterol foods",
    "muscle cramps at night",
    "children fever",
    "zinc cold",
]

CONDITIONS = [
    "restless legs syndrome",
    "insomnia",
    "migraine",
    "high blood pressure",
    "type 2 diabetes",
    "asthma",
    "eczema",
    "back pain",
    "osteoarthritis",
    "gout",
    "anaemia",
    "anxiety",
    "depression",
    "heartburn",
    "irritable bowel syndrome",
    "coeliac disease",
    "psoriasis",
    "high cholesterol",
    "sleep apnoea",
    "tension headache",
    "osteoporosis",
    "hay fever",
    "urinary tract infection",
    "kidney stones",
    "thyroid problems",
    "menopause symptoms",
    "pregnancy nausea",
    "childhood fever",
    "ear infection",
    "shingles",
    "vertigo",
    "plantar fasciitis",
    "carpal tunnel syndrome",
    "constipation",
    "acne",
    "rosacea",
    "heart failure",
    "atrial fibrillation",
    "peripheral neuropathy",
    "fibromyalgia",
]
TREATMENTS = [
    "magnesium",
    "iron",
    "vitamin D",
    "vitamin B12",
    "folic acid",
    "zinc",
    "calcium",
    "omega-3 fish oil",
    "melatonin",
    "gentle stretching",
    "regular walking",
    "yoga",
    "a low-salt diet",
    "cognitive behavioural therapy",
    "physiotherapy",
    "ibuprofen",
    "paracetamol",
    "compression stockings",
    "a sleep diary",
    "breathing exercises",
    "probiotics",
    "fibre supplements",
    "a food diary",
    "cold compresses",
    "warm baths",
    "massage",
    "weight loss",
    "quitting smoking",
    "less caffeine",
    "less alcohol",
]
SYMPTOMS = [
    "tiredness",
    "muscle cramps",
    "tingling",
    "aching",
    "poor sleep",
    "night sweats",
    "dizziness",
    "headaches",
    "itching",
    "swelling",
    "shortness of breath",
    "palpitations",
    "stiffness",
    "numbness",
    "bloating",
    "nausea",
    "low mood",
    "restlessness",
    "fever",
    "coughing",
    "joint pain",
    "heart racing",
    "blurred vision",
    "frequent urination",
    "thirst",
    "weight gain",
    "hair loss",
    "brittle nails",
    "cold hands",
    "burning feet",
]
BODY = [
    "legs",
    "feet",
    "hands",
    "back",
    "neck",
    "knees",
    "hips",
    "skin",
    "heart",
    "lungs",
    "kidneys",
    "liver",
    "stomach",
    "bowel",
    "brain",
    "nerves",
    "muscles",
    "bones",
    "joints",
    "blood vessels",
    "thyroid",
    "eyes",
    "ears",
]
FOODS = [
    "leafy greens",
    "nuts and seeds",
    "whole grains",
    "beans and lentils",
    "oily fish",
    "eggs",
    "yoghurt",
    "dark chocolate",
    "bananas",
    "avocados",
    "oats",
    "spinach",
    "broccoli",
    "berries",
    "red meat",
    "fortified cereals",
    "tofu",
    "pumpkin seeds",
]
PEOPLE = [
    "older adults",
    "children",
    "pregnant women",
    "teenagers",
    "people with diabetes",
    "athletes",
    "shift workers",
    "people who drink alcohol",
    "vegetarians",
    "new parents",
]
FORMS = ["glycinate", "citrate", "oxide", "sulfate", "gluconate", "chloride", "malate"]
SENTENCES = [
    "{treatment} may help with {symptom} in people with {condition}.",
    "Many {people} notice {symptom} {when}.",
    "Talk to your doctor if {symptom} lasts more than two weeks.",
    "{condition} affects the {body} and can cause {symptom} and {symptom2}.",
    "Good sources of {nutrient} include {food} and {food2}.",
    "A small study found that {treatment} eased {symptom} for some {people}.",
    "{nutrient} {form} is gentle on the stomach and well absorbed.",
    "Low levels of {nutrient} are linked to {symptom} and {condition}.",
    "Keep a diary of your {symptom} and what you eat.",
    "Most adults need a steady intake of {nutrient}; more is not always better.",
    "Some medicines interact with {nutrient}, so ask your pharmacist first.",
    "{treatment} is safe for most {people}, but check with your doctor.",
    "If {symptom} comes {when}, gentle stretching of the {body} may help.",
    "Doctors diagnose {condition} from your symptoms and sometimes a blood test.",
    "Caffeine, alcohol and stress can make {symptom} worse.",
    "The {rare} pathway may explain why {condition} runs in families.",
]
HEADINGS = [
    "What is {condition}?",
    "Common symptoms",
    "When to see a doctor",
    "How {treatment} helps",
    "Foods rich in {nutrient}",
    "Who is at risk?",
    "Treatment options",
    "Living with {condition}",
    "Tips for better sleep",
    "What the research says",
    "Safety and side effects",
    "{nutrient} {form}",
    "Questions to ask your doctor",
    "Diet and lifestyle",
]
TAGS = sorted(
    {word for phrase in TREATMENTS + SYMPTOMS + BODY for word in phrase.split() if len(word) > 3}
)[:80]


WHEN = [
    "in the evening",
    "at night",
    "after meals",
    "in the morning",
    "during exercise",
    "after a long day",
    "in cold weather",
    "when sitting still",
    "during travel",
    "before a period",
]


def common_words():
    """Return English words with their frequencies, from the docstrings of Django's code.

    Filler text drawn from them has the long-tailed word frequencies of real prose, so
    that generic words are common and most words are rare, as in the seeds.
    """
    import django

    counts = collections.Counter()
    for path in sorted(Path(django.__file__).parent.rglob("*.py")):
        for docstring in re.findall(r'"""(.*?)"""', path.read_text(errors="ignore"), re.S):
            counts.update(re.findall(r"\b[a-z]{4,12}\b", docstring))
    return counts.most_common(4000)


def rare_words(rng, count=3000):
    """Return made-up words for the long tail of rare terms (drug names, genes, places)."""
    parts = ["zor", "ven", "tal", "qui", "bex", "mor", "lan", "dri", "sul", "pha", "nex", "tor"]
    ends = ["ium", "ol", "ine", "ate", "ex", "ia", "an", "is", "oid", "ase"]
    return sorted(
        {rng.choice(parts) + rng.choice(parts) + rng.choice(ends) for _ in range(count * 2)}
    )[:count]


class Writer:
    """Generate seed-shaped article text from the lists above.

    Each article is about one condition, treatment, symptom and nutrient, which recur
    through it; other words come from the whole lists, the first ones much commoner.
    """

    def __init__(self, rng):
        self.rng = rng
        self.rare = rare_words(rng)
        self.words, self.weights = zip(*common_words(), strict=True)
        self.focus = {}

    def start_article(self):
        """Choose what the next article is about."""
        choice = self.rng.choice
        self.focus = {
            "condition": choice(CONDITIONS),
            "treatment": choice(TREATMENTS),
            "symptom": choice(SYMPTOMS),
            "body": choice(BODY),
            "nutrient": choice(TREATMENTS[:8]),
            "form": choice(FORMS),
        }

    def pick(self, words, slot=None):
        if slot in self.focus and self.rng.random() < 0.7:
            return self.focus[slot]
        weights = [1 / (rank + 1) for rank in range(len(words))]  # Zipf-like
        return self.rng.choices(words, weights)[0]

    def fill(self, template):
        values = {
            "condition": self.pick(CONDITIONS, "condition"),
            "treatment": self.pick(TREATMENTS, "treatment"),
            "symptom": self.pick(SYMPTOMS, "symptom"),
            "symptom2": self.pick(SYMPTOMS),
            "body": self.pick(BODY, "body"),
            "food": self.pick(FOODS),
            "food2": self.pick(FOODS),
            "people": self.pick(PEOPLE),
            "nutrient": self.pick(TREATMENTS[:8], "nutrient"),
            "form": self.focus.get("form", FORMS[0]),
            "rare": self.rng.choice(self.rare),
            "when": self.rng.choice(WHEN),
        }
        text = template.format(**values)
        return text[0].upper() + text[1:]

    def sentence(self):
        """Return a health sentence (two in five) or a sentence of common words."""
        if self.rng.random() < 0.4:
            return self.fill(self.rng.choice(SENTENCES))
        words = self.rng.choices(self.words, self.weights, k=self.rng.randint(6, 14))
        return " ".join(words).capitalize() + "."

    def paragraph(self, sentences):
        return " ".join(self.sentence() for _ in range(sentences))

    def section_body(self):
        html = [f"<p>{self.paragraph(self.rng.randint(2, 4))} [1]</p>"]
        if self.rng.random() < 0.3:
            items = "".join(f"<li>{self.pick(SYMPTOMS).capitalize()}</li>" for _ in range(4))
            html.append(f"<ul>{items}</ul>")
        if self.rng.random() < 0.3:
            html.append(f"<h3>{self.fill(self.rng.choice(HEADINGS))}</h3>")
            html.append(f"<p>{self.paragraph(2)}</p>")
        return "".join(html)

    def title(self):
        condition, treatment = self.focus["condition"], self.focus["treatment"]
        symptom = self.focus["symptom"]
        return self.rng.choice(
            [
                f"{treatment} for {condition}",
                f"{condition}: what you need to know",
                f"Living well with {condition}",
                f"{symptom} and {condition}",
                f"{treatment} and {symptom}: a guide",
            ]
        ).capitalize()


def generate(count, seed=7):
    """Create count articles (90% published, 5% draft, 5% scheduled) with their parts."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from django.utils.text import slugify
    from taggit.models import Tag, TaggedItem

    from articles.models import FAQ, Article, Citation, Quote, Reference, Section, Topic
    from experts.models import Expert

    rng = random.Random(seed)
    writer = Writer(rng)
    experts = [
        Expert.objects.create(
            name="Roxana Ehsani",
            credentials="MS, RDN, CSSD",
            role="Registered Dietitian Nutritionist",
            bio="<p>Roxana Ehsani is a Board-Certified Specialist in Sports Dietetics.</p>",
        )
    ]
    for n in range(19):
        experts.append(
            Expert.objects.create(
                honorific="Dr",
                name=f"{rng.choice(['Ana', 'Ben', 'Chen', 'Dara', 'Eli'])} {writer.rare[n].title()}",
                credentials="MD",
                role="Physician",
                bio=f"<p>{writer.paragraph(3)}</p>",
            )
        )
    topics = Topic.objects.bulk_create(
        Topic(name=name.capitalize(), slug=slugify(name), description=f"<p>About {name}.</p>")
        for name in CONDITIONS
    )
    tags = Tag.objects.bulk_create(Tag(name=name, slug=slugify(name)) for name in TAGS)
    reference = Reference.objects.create(title="A study of magnesium", year=2019)
    now = timezone.now()
    statuses = [Article.Status.PUBLISHED] * 18 + [Article.Status.DRAFT, "scheduled"]
    content_type = ContentType.objects.get_for_model(Article)
    topic_through = Article.topics.through
    articles, parts = [], []
    for n in range(count):
        status = rng.choice(statuses)
        when = now - datetime.timedelta(days=rng.randint(1, 900))
        if status == "scheduled":
            status, when = Article.Status.PUBLISHED, now + datetime.timedelta(days=30)
        writer.start_article()
        title = writer.title()
        article = Article(
            title=title,
            slug=f"{slugify(title)[:180]}-{n}",
            summary=writer.paragraph(2)[:600],
            status=status,
            publish_at=when,
            reviewed_by=rng.choice(experts),
            last_reviewed=datetime.date(2026, 1, 15),
        )
        articles.append(article)
        for position in range(1, rng.randint(5, 25) + 1):
            heading = writer.fill(rng.choice(HEADINGS)) if position > 1 else ""
            body = writer.section_body()
            parts.append(Section(article=article, position=position, heading=heading, body=body))
        for position in range(1, rng.randint(0, 5) + 1):
            question = writer.fill(rng.choice(HEADINGS)).rstrip("?") + "?"
            answer = f"<p>{writer.paragraph(2)}</p>"
            parts.append(FAQ(article=article, position=position, question=question, answer=answer))
        text = writer.paragraph(1)
        parts.append(Quote(article=article, position=1, expert=rng.choice(experts), text=text))
        parts.append(Citation(article=article, position=1, reference=reference))
    Article.objects.bulk_create(articles, batch_size=500)
    links = []
    for article in articles:
        for topic in rng.sample(topics, rng.randint(1, 2)):
            links.append(topic_through(article_id=article.pk, topic_id=topic.pk))
        for tag in rng.sample(tags, rng.randint(2, 4)):
            links.append(TaggedItem(content_type=content_type, object_id=article.pk, tag=tag))
    for model in (Section, FAQ, Quote, Citation, topic_through, TaggedItem):
        rows = [row for row in parts + links if type(row) is model]
        model.objects.bulk_create(rows, batch_size=1000)
    sections = [part for part in parts if type(part) is Section]
    faqs = [part for part in parts if type(part) is FAQ]
    words = sum(len(section.body.split()) for section in sections)
    return {"articles": count, "sections": len(sections), "faqs": len(faqs), "words": words}


def percentile(values, fraction):
    """Return the value below which the given fraction of values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def time_queries(repeat):
    """Time each query through the search view; return per-query timings in ms.

    The queries take turns, so a passing spike of load on the machine spreads over
    all of them rather than landing on one.
    """
    from django.test import RequestFactory

    from portal.search import search

    factory = RequestFactory(SERVER_NAME="localhost")
    timings = {query: [] for query in QUERIES}
    for query in QUERIES:  # warm-up
        assert search(factory.get("/search/", {"q": query})).status_code == 200, query
    for _ in range(repeat):
        for query in QUERIES:
            request = factory.get("/search/", {"q": query})
            started = time.perf_counter()
            search(request)
            timings[query].append((time.perf_counter() - started) * 1000)
    return timings


def count_results(query):
    from portal.search import parse_query
    from portal.search_backends import matches

    parsed = parse_query(query)
    found = matches(parsed)
    if not found.count() and len(parsed.terms) > 1:
        found = matches(parsed, any_word=True)
    return found.count()


def child(args):
    """Build and measure one database (the one DATABASE_URL names); print JSON."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from portal import search_index

    # Django records every query while DEBUG is on; the benchmark must not pay for that.
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    shape = generate(args.articles)
    generated = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would have done on a live database
    started = time.perf_counter()
    search_index.rebuild()
    indexed = time.perf_counter() - started
    timings = time_queries(args.repeat)
    every = [ms for samples in timings.values() for ms in samples]
    report = {
        "database": connection.vendor,
        "version": server_version(connection),
        "shape": shape,
        "generate_s": round(generated, 1),
        "index_s": round(indexed, 1),
        "median_ms": statistics.median(every),
        "p95_ms": percentile(every, 0.95),
        "max_ms": max(every),
        "queries": {
            query: {
                "median_ms": statistics.median(samples),
                "p95_ms": percentile(samples, 0.95),
                "results": count_results(query),
            }
            for query, samples in timings.items()
        },
    }
    print(json.dumps(report))


def server_version(connection):
    if connection.vendor == "sqlite":
        import sqlite3

        return f"(SQLite {sqlite3.sqlite_version})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"(PostgreSQL {cursor.fetchone()[0]})"


def run_child(database_url, args):
    env = os.environ | {"DATABASE_URL": database_url, "CACHE_URL": "dummy://"}
    command = [
        sys.executable,
        __file__,
        "--child",
        "--articles",
        str(args.articles),
        "--repeat",
        str(args.repeat),
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"The benchmark failed on {database_url}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def with_postgres(args):
    """Create the throwaway PostgreSQL database, yield its URL, drop it afterwards."""
    import psycopg
    from psycopg import sql

    server = args.postgres_url
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not reachable at {server}: {error}; skipped.", file=sys.stderr)
        return None
    name = sql.Identifier(BENCH_DB)
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        try:
            return run_child(server.rsplit("/", 1)[0] + f"/{BENCH_DB}", args)
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))


def describe(report):
    shape = report["shape"]
    lines = [
        f"== {report['database']} {report['version']}",
        f"content: {shape['articles']} articles, {shape['sections']} sections, "
        f"{shape['faqs']} FAQs, ~{shape['words']} words in sections; "
        f"generated in {report['generate_s']} s, indexed (rebuild_search_index) in "
        f"{report['index_s']} s",
        f"all requests: median {report['median_ms']:.1f} ms, 95th percentile "
        f"{report['p95_ms']:.1f} ms, slowest {report['max_ms']:.1f} ms",
        f"{'query':34} {'results':>7} {'median ms':>10} {'p95 ms':>8}",
    ]
    for query, figures in report["queries"].items():
        lines.append(
            f"{query:34} {figures['results']:>7} {figures['median_ms']:>10.1f} "
            f"{figures['p95_ms']:>8.1f}"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per query")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server (and database to connect to) allowed to create databases",
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    started = time.perf_counter()
    load = os.getloadavg()[0]
    reports = []
    with tempfile.TemporaryDirectory() as folder:
        reports.append(run_child(f"sqlite:///{folder}/bench.sqlite3", args))
    if not args.skip_postgres and (report := with_postgres(args)):
        reports.append(report)
    header = [
        f"Search benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}, "
        f"{os.cpu_count()} CPUs, load average {load:.1f} at the start, "
        f"Python {sys.version.split()[0]}",
        f"{len(QUERIES)} queries x {args.repeat} timed requests each (in turns, after a warm-up), "
        "through the search view in-process: search, ranking, snippets, rendered page.",
        "Target: 95th percentile under 50 ms.",
        f"Command: .venv/bin/python bench/search_bench.py --articles {args.articles} "
        f"--repeat {args.repeat}",
    ]
    text = "\n".join(header) + "\n\n" + "\n\n".join(describe(r) for r in reports) + "\n"
    text += f"\nTotal run time {time.perf_counter() - started:.0f} s.\n"
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"search-{datetime.date.today():%Y-%m-%d}.txt"
    out.write_text(text)
    print(f"Written to {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
