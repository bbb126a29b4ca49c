"""Search latency: generated articles (2,000 by default), 24 queries, SQLite and PostgreSQL.

    .venv/bin/python bench/search_bench.py [--scale 2000] [--repeat 10]
        [--postgres-url postgres://postgres@127.0.0.1:5432/postgres] [--postgres-db NAME]
        [--skip-sqlite] [--skip-postgres] [--keep] [--reuse [--reindex]]

For each database the script builds a throwaway copy (a temporary SQLite file; a
PostgreSQL database, portal_search_bench unless --postgres-db names another, created
and dropped on the server given), generates articles shaped like the seeds (5-25
sections with sub-headings and lists, FAQs, a quote, topics and tags) with their
releases, in bulk: 81% with one live release, 7% with a newer live one, 2% with a newer
one scheduled, 5% scheduled, 5% drafts. Then it builds the search index
(`rebuild_search_index`), and times each query through the search view in-process
(RequestFactory: search, ranking, snippets and the rendered page; no network, no page
cache). It reports p50, p95 and p99 per query and over all timed requests, with the
load average, and writes them to bench/results/search-<date>-<databases>-<scale>.txt.
100,000 articles take about a quarter of an hour to generate and index on PostgreSQL.
--keep leaves the PostgreSQL database in place (to EXPLAIN its queries); --reuse
measures it again without generating (--reindex rebuilds its index first).

Each article is about one condition and treatment. Two sentences in five are health
sentences built from the lists below; the rest are common English words drawn with
the long-tailed frequencies of real prose, plus made-up rare words (drug and gene
names), so some queries match most articles and others a handful.
"""

import argparse
import bisect
import collections
import datetime
import hashlib
import itertools
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
    "xylophone quartet",  # no results: the page lists topics to browse instead
    "magnesuim",  # misspelt: no results, "Did you mean magnesium?"
    "restles legs",  # one word misspelt: pages with "legs", "Did you mean restless legs?"
    ("iron", 50),  # a deep page of a query that matches most articles
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
    Cumulative weights are worked out once: drawing 100,000 articles' words stays quick.
    """

    def __init__(self, rng):
        self.rng = rng
        self.rare = rare_words(rng)
        words, weights = zip(*common_words(), strict=True)
        self.words, self.word_weights = words, list(itertools.accumulate(weights))
        self.zipf = {}
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
        key = id(words)
        if key not in self.zipf:  # Zipf-like: the first words of each list are commoner
            self.zipf[key] = list(
                itertools.accumulate(1 / (rank + 1) for rank in range(len(words)))
            )
        cumulative = self.zipf[key]
        return words[bisect.bisect(cumulative, self.rng.random() * cumulative[-1])]

    def fill(self, template):
        """Fill a template's {slots}, drawing only the words it uses."""
        text = template.format_map(Slots(self))
        return text[0].upper() + text[1:]

    def sentence(self):
        """Return a health sentence (two in five) or a sentence of common words."""
        if self.rng.random() < 0.4:
            return self.fill(self.rng.choice(SENTENCES))
        count = self.rng.randint(6, 14)
        words = self.rng.choices(self.words, cum_weights=self.word_weights, k=count)
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


class Slots(dict):
    """The words of one sentence, drawn when the template asks for them."""

    def __init__(self, writer):
        super().__init__()
        self.writer = writer

    def __missing__(self, slot):
        writer = self.writer
        pick, choice = writer.pick, writer.rng.choice
        drawers = {
            "condition": lambda: pick(CONDITIONS, "condition"),
            "treatment": lambda: pick(TREATMENTS, "treatment"),
            "symptom": lambda: pick(SYMPTOMS, "symptom"),
            "symptom2": lambda: pick(SYMPTOMS),
            "body": lambda: pick(BODY, "body"),
            "food": lambda: pick(FOODS),
            "food2": lambda: pick(FOODS),
            "people": lambda: pick(PEOPLE),
            "nutrient": lambda: pick(TREATMENTS[:8], "nutrient"),
            "form": lambda: writer.focus.get("form", FORMS[0]),
            "rare": lambda: choice(writer.rare),
            "when": lambda: choice(WHEN),
        }
        self[slot] = drawers[slot]()
        return self[slot]


# What happens to each generated article, out of 100: most have one live release, some a
# newer live one or a newer one still scheduled; drafts have none; some are scheduled.
PLANS = ["live"] * 81 + ["updated"] * 7 + ["update scheduled"] * 2 + ["draft"] * 5
PLANS += ["scheduled"] * 5
BATCH = 1000  # articles generated and inserted at a time


WORKER = {}  # in each process that writes articles: its Writer and the shared data


def start_writer(seed, experts, reference):
    """Set up a process that writes articles (the same rare words in every process)."""
    WORKER.update(writer=Writer(random.Random(seed)), seed=seed)
    WORKER.update(experts=experts, reference=reference)


def write_batch(bounds):
    """Return articles start..stop as plain data: text, plan, dates, topics, tags.

    Each batch draws from its own seeded generator, so a run is the same whichever
    process writes which batch.
    """
    start, stop = bounds
    writer, experts = WORKER["writer"], WORKER["experts"]
    rng = writer.rng = random.Random(f"{WORKER['seed']}-{start}")
    batch = []
    for n in range(start, stop):
        plan = rng.choice(PLANS)
        writer.start_article()
        reviewer, quoted = rng.choice(experts), rng.choice(experts)
        sections = [
            {
                "position": position,
                "heading": writer.fill(rng.choice(HEADINGS)) if position > 1 else "",
                "body": writer.section_body(),
            }
            for position in range(1, rng.randint(5, 25) + 1)
        ]
        faqs = [
            {
                "position": position,
                "question": writer.fill(rng.choice(HEADINGS)).rstrip("?") + "?",
                "answer": f"<p>{writer.paragraph(2)}</p>",
            }
            for position in range(1, rng.randint(0, 5) + 1)
        ]
        content = {
            "title": writer.title(),
            "summary": writer.paragraph(2)[:600],
            "meta_description": "",
            "disclaimer": "",
            "reviewer": reviewer,
            "author": None,
            "sections": sections,
            "quotes": [
                {"position": 1, "text": writer.paragraph(1), "section": None, "expert": quoted}
            ],
            "citations": [{"position": 1, "reference": WORKER["reference"]}],
            "faqs": faqs,
        }
        batch.append(
            {
                "n": n,
                "plan": plan,
                "content": content,
                "newer_summary": writer.paragraph(2)[:600],
                "days_ago": rng.randint(30, 900),
                "days_ahead": rng.randint(1, 60),
                "topics": rng.sample(range(len(CONDITIONS)), rng.randint(1, 2)),
                "tags": rng.sample(range(len(TAGS)), rng.randint(2, 4)),
            }
        )
    return batch


def generate(count, seed=7):
    """Create count articles with their releases, topics and tags, in bulk.

    Two processes write the text while this one inserts it. Articles carry their text
    in their releases (what patients see, and all that search reads); the working copies
    are left without sections, FAQs, quotes or citations, which only the admin reads.
    Releases are inserted directly (bulk_create sends no signals), so the search index
    is built afterwards, as `rebuild_search_index` does.
    """
    import multiprocessing

    from django.contrib.contenttypes.models import ContentType
    from django.db import connections
    from django.utils import timezone
    from django.utils.text import slugify
    from taggit.models import Tag

    from articles.models import Article, Reference, Topic
    from articles.releases import expert_data, reference_data
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
    reference = reference_data(Reference.objects.create(title="A study of magnesium", year=2019))
    labels = {
        "now": timezone.now(),
        "content_type": ContentType.objects.get_for_model(Article),
        "topics": topics,
        "tags": tags,
    }
    shape = collections.Counter()
    bounds = [(start, min(count, start + BATCH)) for start in range(0, count, BATCH)]
    connections.close_all()  # the writing processes must not share this one's connection
    shown = [expert_data(expert) for expert in experts]
    with multiprocessing.get_context("fork").Pool(
        2, initializer=start_writer, initargs=(seed, shown, reference)
    ) as pool:
        for batch in pool.imap(write_batch, bounds):
            insert(batch, labels, shape)
    return {"articles": count, **shape}


def insert(batch, labels, shape):
    """Insert a written batch: articles, their releases, featured experts, topics, tags."""
    from django.utils.text import slugify
    from taggit.models import TaggedItem

    from articles.models import Article, Release

    articles = []
    for item in batch:
        content = item["content"]
        status = Article.Status.DRAFT if item["plan"] == "draft" else Article.Status.PUBLISHED
        articles.append(
            Article(
                title=content["title"],
                slug=f"{slugify(content['title'])[:180]}-{item['n']}",
                summary=content["summary"],
                status=status,
                reviewed_by_id=content["reviewer"]["id"],
                last_reviewed=datetime.date(2026, 1, 15),
                working_hash=quick_hash(content),
            )
        )
        shape["sections"] += len(content["sections"])
        shape["faqs"] += len(content["faqs"])
        shape["words"] += sum(len(section["body"].split()) for section in content["sections"])
        shape[item["plan"]] += 1
    Article.objects.bulk_create(articles)
    now, releases, featured = labels["now"], [], []
    for article, item in zip(articles, batch, strict=True):
        plan, content = item["plan"], item["content"]
        if plan == "draft":
            continue
        shown = {content["reviewer"]["id"], content["quotes"][0]["expert"]["id"]}
        past = now - datetime.timedelta(days=item["days_ago"])
        future = now + datetime.timedelta(days=item["days_ahead"])
        releases.append(
            release(Release, article, 1, content, future if plan == "scheduled" else past)
        )
        featured.append(shown)
        if plan in ("updated", "update scheduled"):
            newer = content | {"summary": item["newer_summary"]}
            when = future if plan == "update scheduled" else past + datetime.timedelta(days=20)
            releases.append(release(Release, article, 2, newer, when))
            featured.append(shown)
    Release.objects.bulk_create(releases)
    shape["releases"] += len(releases)
    through = Release.experts.through
    through.objects.bulk_create(
        through(release_id=r.pk, expert_id=pk)
        for r, shown in zip(releases, featured, strict=True)
        for pk in shown
    )
    topic_through = Article.topics.through
    topic_through.objects.bulk_create(
        topic_through(article_id=article.pk, topic_id=labels["topics"][index].pk)
        for article, item in zip(articles, batch, strict=True)
        for index in item["topics"]
    )
    TaggedItem.objects.bulk_create(
        TaggedItem(
            content_type=labels["content_type"], object_id=article.pk, tag=labels["tags"][index]
        )
        for article, item in zip(articles, batch, strict=True)
        for index in item["tags"]
    )


def quick_hash(content):
    """Return a digest standing for a content hash (hashing the whole JSON is a tenth of the
    generation time, and search never reads it)."""
    key = f"{content['title']}|{content['summary']}|{len(content['sections'])}"
    return hashlib.sha256(key.encode()).hexdigest()


def release(model, article, number, content, go_live_at):
    """Return an unsaved release of the article's content, as publishing makes it."""
    words = sum(len(section["body"].split()) for section in content["sections"])
    return model(
        article=article,
        number=number,
        title=content["title"],
        summary=content["summary"],
        content=content,
        content_hash=quick_hash(content),
        word_count=words,
        reading_grade=8,
        reviewed_by_id=content["reviewer"]["id"],
        reviewer_name=content["reviewer"]["name_with_credentials"],
        reviewed_on=datetime.date(2026, 1, 15),
        go_live_at=go_live_at,
        note="" if number == 1 else "Updated.",
    )


def percentile(values, fraction):
    """Return the value below which the given fraction of values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def figures(samples):
    return {
        "p50_ms": statistics.median(samples),
        "p95_ms": percentile(samples, 0.95),
        "p99_ms": percentile(samples, 0.99),
        "max_ms": max(samples),
    }


def label(query):
    text, page = query if isinstance(query, tuple) else (query, 1)
    return text if page == 1 else f"{text} (page {page})"


def time_queries(repeat):
    """Time each query through the search view; return per-query timings in ms.

    The queries take turns, so a passing spike of load on the machine spreads over
    all of them rather than landing on one.
    """
    from django.test import RequestFactory

    from search.views import search

    factory = RequestFactory(SERVER_NAME="localhost")
    timings = {label(query): [] for query in QUERIES}

    def request(query):
        text, page = query if isinstance(query, tuple) else (query, 1)
        return factory.get("/search/", {"q": text, "page": page})

    for query in QUERIES:  # warm-up
        assert search(request(query)).status_code == 200, query
    for _ in range(repeat):
        for query in QUERIES:
            started = time.perf_counter()
            search(request(query))
            timings[label(query)].append((time.perf_counter() - started) * 1000)
    return timings


def count_results(query):
    """Return the count the page shows: exact up to the cap, then "more than"."""
    import search

    results = search.run(query[0] if isinstance(query, tuple) else query)
    return f">{results.total}" if results.capped else str(results.total)


def child(args):
    """Build and measure one database (the one DATABASE_URL names); print JSON."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from articles.models import Article
    from search import index

    # Django records every query while DEBUG is on; the benchmark must not pay for that.
    settings.DEBUG = False
    load_before = os.getloadavg()
    call_command("migrate", verbosity=0)
    generated = indexed = 0.0
    if args.reuse and Article.objects.exists():
        shape = {"articles": Article.objects.count(), "reused": True}
    else:
        started = time.perf_counter()
        shape = generate(args.scale)
        generated = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would have done on a live database
    if not shape.get("reused") or args.reindex:
        started = time.perf_counter()
        index.rebuild()
        indexed = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE search_searchdocument")  # visibility map, stats
            cursor.execute("VACUUM ANALYZE search_searchword")
    load_start = os.getloadavg()
    timings = time_queries(args.repeat)
    every = [ms for samples in timings.values() for ms in samples]
    report = {
        "database": connection.vendor,
        "version": server_version(connection),
        "shape": shape,
        "generate_s": round(generated, 1),
        "index_s": round(indexed, 1),
        "load_before": load_before,
        "load_start": load_start,
        "load_end": os.getloadavg(),
        **figures(every),
        "queries": {
            label(query): figures(timings[label(query)]) | {"results": count_results(query)}
            for query in QUERIES
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
    command = [sys.executable, __file__, "--child", "--scale", str(args.scale)]
    command += ["--repeat", str(args.repeat)]
    command += ["--reuse"] * args.reuse + ["--reindex"] * args.reindex
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"The benchmark failed on {database_url}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def with_postgres(args):
    """Create the throwaway PostgreSQL database, return its report, drop it afterwards."""
    import psycopg
    from psycopg import sql

    server = args.postgres_url
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not reachable at {server}: {error}; skipped.", file=sys.stderr)
        return None
    name = sql.Identifier(args.postgres_db)
    with admin:
        if not args.reuse:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        elif not admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [args.postgres_db]
        ).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
        try:
            return run_child(server.rsplit("/", 1)[0] + f"/{args.postgres_db}", args)
        finally:
            if not args.keep:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name))


def describe(report):
    shape = report["shape"]
    if shape.get("reused"):
        content = f"content: {shape['articles']} articles (database reused)"
    else:
        content = (
            f"content: {shape['articles']} articles ({shape['releases']} releases: "
            f"{shape['live']} live, {shape['updated']} with a newer live release, "
            f"{shape['update scheduled']} with a newer one scheduled, {shape['scheduled']} "
            f"scheduled; {shape['draft']} drafts), {shape['sections']} sections, "
            f"{shape['faqs']} FAQs, ~{shape['words']} words in sections"
        )
    loads = " / ".join(
        ", ".join(f"{value:.2f}" for value in report[key])
        for key in ("load_before", "load_start", "load_end")
    )
    lines = [
        f"== {report['database']} {report['version']}",
        content,
        f"generated in {report['generate_s']} s, indexed (rebuild_search_index) in "
        f"{report['index_s']} s",
        f"load average (1, 5, 15 min) before generating / before timing / after: {loads}",
        f"all requests: p50 {report['p50_ms']:.1f} ms, p95 {report['p95_ms']:.1f} ms, "
        f"p99 {report['p99_ms']:.1f} ms, slowest {report['max_ms']:.1f} ms",
        f"{'query':34} {'results':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
    ]
    for query, values in report["queries"].items():
        lines.append(
            f"{query:34} {values['results']:>7} {values['p50_ms']:>8.1f} "
            f"{values['p95_ms']:>8.1f} {values['p99_ms']:>8.1f}"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scale", "--articles", type=int, default=2000, help="articles to generate"
    )
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per query")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server (and database to connect to) allowed to create databases",
    )
    parser.add_argument(
        "--postgres-db", default=BENCH_DB, help=f"the throwaway database (default {BENCH_DB})"
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database (to EXPLAIN queries)"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure a kept database again, without generating"
    )
    parser.add_argument("--reindex", action="store_true", help="with --reuse: rebuild the index")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    started = time.perf_counter()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    reports = []
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory() as folder:
            reports.append(run_child(f"sqlite:///{folder}/bench.sqlite3", args))
    if not args.skip_postgres and (report := with_postgres(args)):
        reports.append(report)
    command = f".venv/bin/python bench/search_bench.py --scale {args.scale} --repeat {args.repeat}"
    command += " --skip-sqlite" * args.skip_sqlite + " --skip-postgres" * args.skip_postgres
    header = [
        f"Search benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}, "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        f"uptime at the start: {uptime.strip()}",
        f"{len(QUERIES)} queries x {args.repeat} timed requests each (in turns, after a warm-up), "
        "through the search view in-process: search, ranking, snippets, rendered page.",
        "Goal: p95 under 50 ms at 2,000 articles (SQLite and PostgreSQL), under 150 ms at "
        "100,000 (PostgreSQL).",
        f"Command: {command}",
    ]
    text = "\n".join(header) + "\n\n" + "\n\n".join(describe(r) for r in reports) + "\n"
    text += f"\nTotal run time {time.perf_counter() - started:.0f} s.\n"
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    vendors = "-".join(report["database"] for report in reports)
    out = RESULTS_DIR / f"search-{datetime.date.today():%Y-%m-%d}-{vendors}-{args.scale}.txt"
    out.write_text(text)
    print(f"Written to {out.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
