"""schema.org structured data (JSON-LD) for the public pages, built as plain dicts."""

from common.links import safe_url
from common.richtext import plain_text
from common.structured_data import CONTEXT, absolute_url, with_absolute_url
from experts.jsonld import person_data

PEOPLE = ("reviewedBy", "author")  # the MedicalWebPage's Person entries


def topic_thing(topic):
    """Return a topic as a MedicalCondition when it has ICD-10 codes, else a Thing."""
    codes = [code.strip() for code in topic.icd10_codes.split(",") if code.strip()]
    if not codes:
        return {"@type": "Thing", "name": topic.name}
    return {
        "@type": "MedicalCondition",
        "name": topic.name,
        "code": [
            {"@type": "MedicalCode", "codeValue": code, "codingSystem": "ICD-10"} for code in codes
        ],
    }


def scholarly_article(reference):
    """Return a cited reference as a ScholarlyArticle."""
    data = {"@type": "ScholarlyArticle", "name": reference.title}
    if reference.authors:
        data["author"] = reference.authors
    if reference.journal:
        data["isPartOf"] = {"@type": "Periodical", "name": reference.journal}
    if reference.year:
        data["datePublished"] = str(reference.year)
    if url := reference.doi_url or reference.pubmed_url or safe_url(reference.url):
        data["url"] = url
    return data


def medical_web_page_parts(article):
    """Return what an article's MedicalWebPage takes from its experts, topics and citations.

    Its people's urls are paths: medical_web_page() makes them absolute for the request.
    """
    data = {}
    if article.reviewed_by:
        data["reviewedBy"] = person_data(article.reviewed_by)
    if article.author:
        data["author"] = person_data(article.author)
    if topics := [topic_thing(topic) for topic in article.topics.all()]:
        data["about"] = topics
    if citations := [scholarly_article(c.reference) for c in article.citations.all()]:
        data["citation"] = citations
    return data


def medical_web_page(request, article, clinic, parts=None):
    """Return the MedicalWebPage for an article (children prefetched, or their parts given)."""
    data = {
        "@context": CONTEXT,
        "@type": "MedicalWebPage",
        "name": article.title,
        "headline": article.title,
        "description": article.meta_description or article.summary,
        "url": absolute_url(request, article.get_absolute_url()),
        "inLanguage": "en",
        "publisher": {"@type": "Organization", "name": clinic.name},
        "dateModified": article.updated.isoformat(),
    }
    if article.publish_at:
        data["datePublished"] = article.publish_at.isoformat()
    if article.last_reviewed:
        data["lastReviewed"] = article.last_reviewed.isoformat()
    for name, value in (medical_web_page_parts(article) if parts is None else parts).items():
        data[name] = with_absolute_url(request, value) if name in PEOPLE else value
    if article.hero_image:
        data["image"] = absolute_url(request, article.hero_image.url)
    return data


def faq_page(faqs):
    """Return a FAQPage for the given FAQs, or None when there are none."""
    questions = [
        {
            "@type": "Question",
            "name": faq.question,
            "acceptedAnswer": {"@type": "Answer", "text": " ".join(plain_text(faq.answer).split())},
        }
        for faq in faqs
    ]
    if not questions:
        return None
    return {"@context": CONTEXT, "@type": "FAQPage", "mainEntity": questions}
