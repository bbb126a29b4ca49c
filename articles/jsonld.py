"""schema.org structured data (JSON-LD) for the public pages, built as plain dicts."""

from django.conf import settings
from django.urls import reverse

from articles.readability import plain_text

CONTEXT = "https://schema.org"
PEOPLE = ("reviewedBy", "author")  # the MedicalWebPage's Person entries


def absolute_url(request, path):
    """Return path as an absolute URL: SITE_URL when set, else the request's own host."""
    if settings.SITE_URL:
        return settings.SITE_URL + path
    return request.build_absolute_uri(path)


def person(request, expert):
    """Return an expert as a schema.org Person."""
    return with_absolute_url(request, person_data(expert))


def person_data(expert):
    """Return an expert as a schema.org Person whose url is still a path on this site."""
    data = {"@type": "Person", "name": expert.name, "url": expert.get_absolute_url()}
    if expert.honorific:
        data["honorificPrefix"] = expert.honorific
    if expert.credentials:
        data["honorificSuffix"] = expert.credentials
    if expert.role:
        data["jobTitle"] = expert.role
    if expert.affiliation:
        data["affiliation"] = {"@type": "Organization", "name": expert.affiliation}
    return data


def with_absolute_url(request, data):
    """Return data with its url, a path, made absolute (keeping the keys' order)."""
    return data | {"url": absolute_url(request, data["url"])}


def expert_page(request, expert):
    """Return the Person for an expert's own page, with bio, photo and links."""
    data = {"@context": CONTEXT} | person(request, expert)
    if bio := " ".join(plain_text(expert.bio).split()):
        data["description"] = bio
    if expert.photo:
        data["image"] = absolute_url(request, expert.photo.url)
    if links := [link.url for link in expert.links.all()]:
        data["sameAs"] = links
    return data


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
    if url := reference.doi_url or reference.pubmed_url or reference.url:
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


def web_site(request, clinic):
    """Return the WebSite for the home page, with its search action."""
    home = absolute_url(request, reverse("portal:home"))
    search = absolute_url(request, reverse("portal:search"))
    return {
        "@context": CONTEXT,
        "@type": "WebSite",
        "name": clinic.name,
        "url": home,
        "potentialAction": {
            "@type": "SearchAction",
            "target": f"{search}?q={{search_term_string}}",
            "query-input": "required name=search_term_string",
        },
    }


def collection_page(request, name, about=None):
    """Return a CollectionPage for a list page (topic, tag, A–Z, experts)."""
    data = {
        "@context": CONTEXT,
        "@type": "CollectionPage",
        "name": name,
        "url": absolute_url(request, request.path),
    }
    if about is not None:
        data["about"] = about
    return data
