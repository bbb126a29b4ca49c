"""schema.org structured data (JSON-LD) for the public pages, built as plain dicts."""

from django.urls import reverse

from common.links import safe_url
from common.richtext import plain_text
from common.structured_data import CONTEXT, absolute_url, with_absolute_url

PEOPLE = ("reviewedBy", "author")  # the MedicalWebPage's Person entries


def topic_thing(topic, codes=()):
    """Return a topic as a MedicalCondition with its codes (TopicCode rows), else a Thing."""
    if not codes:
        return {"@type": "Thing", "name": topic.shown_name}
    return {
        "@type": "MedicalCondition",
        "name": topic.shown_name,
        "code": [
            {
                "@type": "MedicalCode",
                "codeValue": code.code,
                "codingSystem": code.get_system_display(),
            }
            for code in codes
        ],
    }


def scholarly_article(reference):
    """Return a reference as cited in a release (a dict) as a ScholarlyArticle."""
    data = {"@type": "ScholarlyArticle", "name": reference["title"]}
    if reference["authors"]:
        data["author"] = reference["authors"]
    if reference["journal"]:
        data["isPartOf"] = {"@type": "Periodical", "name": reference["journal"]}
    if reference["year"]:
        data["datePublished"] = str(reference["year"])
    if reference["doi"]:
        data["url"] = f"https://doi.org/{reference['doi']}"
    elif reference["pmid"]:
        data["url"] = f"https://pubmed.ncbi.nlm.nih.gov/{reference['pmid']}/"
    elif safe_url(reference["url"]):
        data["url"] = safe_url(reference["url"])
    return data


def person(expert):
    """Return an expert as a release shows them (a dict) as a schema.org Person."""
    data = {
        "@type": "Person",
        "name": expert["name"],
        "url": reverse("experts:detail", kwargs={"slug": expert["slug"]}),
    }
    for key, name in (
        ("honorific", "honorificPrefix"),
        ("credentials", "honorificSuffix"),
        ("role", "jobTitle"),
    ):
        if expert[key]:
            data[name] = expert[key]
    if expert["affiliation"]:
        data["affiliation"] = {"@type": "Organization", "name": expert["affiliation"]}
    return data


def release_parts(content):
    """Return what a release's MedicalWebPage takes from its experts and citations.

    Its people's urls are paths: medical_web_page() makes them absolute for the request.
    """
    data = {}
    # schema.org's CreativeWork.abstract ("a short description that summarizes") fits the
    # key points; "When to get help" is advice with no matching property, so it stays on
    # the page only.
    if points := content.get("key_points"):
        data["abstract"] = "\n".join(points)
    if content["reviewer"]:
        data["reviewedBy"] = person(content["reviewer"])
    if content["author"]:
        data["author"] = person(content["author"])
    if citations := [scholarly_article(c["reference"]) for c in content["citations"]]:
        data["citation"] = citations
    return data


def medical_web_page(request, release, clinic, parts, topics=()):
    """Return the MedicalWebPage for a release, its stored parts and the article's topics."""
    article = release.article
    data = {
        "@context": CONTEXT,
        "@type": "MedicalWebPage",
        "name": release.title,
        "headline": release.title,
        "description": release.meta_description or release.summary,
        "url": absolute_url(request, release.get_absolute_url()),
        "inLanguage": release.language,
        "publisher": {"@type": "Organization", "name": clinic.name},
        "datePublished": release.go_live_at.isoformat(),
        "dateModified": release.go_live_at.isoformat(),
        "lastReviewed": release.reviewed_on.isoformat(),
        "version": str(release.number),
    }
    for name, value in parts.items():
        data[name] = with_absolute_url(request, value) if name in PEOPLE else value
    # Topics from articles.views.labels() carry their codes as code_rows.
    if about := [topic_thing(topic, getattr(topic, "code_rows", ())) for topic in topics]:
        data["about"] = about
    if article.hero_image:
        data["image"] = absolute_url(request, article.hero_image.url)
    return data


def faq_page(faqs):
    """Return a FAQPage for the given FAQs (as a release holds them), or None for none."""
    questions = [
        {
            "@type": "Question",
            "name": faq["question"],
            "acceptedAnswer": {
                "@type": "Answer",
                "text": " ".join(plain_text(faq["answer"]).split()),
            },
        }
        for faq in faqs
    ]
    if not questions:
        return None
    return {"@context": CONTEXT, "@type": "FAQPage", "mainEntity": questions}
