"""The Infobutton endpoint: the clinic's handouts for a diagnosis code, for health records.

Requests follow the HL7 Context-Aware Knowledge Retrieval (Infobutton) URL-based
implementation guide, with the parameter names MedlinePlus Connect uses:

    /infobutton/?mainSearchCriteria.v.cs=2.16.840.1.113883.6.90
                &mainSearchCriteria.v.c=G25.81
                &mainSearchCriteria.v.dn=Restless+legs+syndrome
                &informationRecipient.languageCode.c=en
                &knowledgeResponseType=text/xml

and answers are shaped like MedlinePlus Connect's: an Atom feed (the default), the same
feed as JSON (a `feed` object holding an `entry` list), or a small HTML page with Print
links for clinicians who click through. Which articles match is decided in
portal/lookup.py, shared with the admin's "Find handouts by code" box.
"""

import json
import re
from dataclasses import dataclass
from io import StringIO

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import rfc3339_date
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_safe

from articles import codes
from common.structured_data import absolute_url
from portal import lookup
from portal.models import ClinicSettings

CODE_SYSTEM = "mainSearchCriteria.v.cs"
CODE = "mainSearchCriteria.v.c"
DISPLAY_NAME = "mainSearchCriteria.v.dn"
LANGUAGE = "informationRecipient.languageCode.c"
RESPONSE_TYPE = "knowledgeResponseType"

ATOM, JSON, HTML = "text/xml", "application/json", "text/html"
RESPONSE_TYPES = {
    ATOM: "application/atom+xml; charset=utf-8",
    JSON: "application/json",
    HTML: "text/html; charset=utf-8",
}
# Other parameters of the HL7 URL-based guide: health records send them as context, and
# the portal has nothing to tailor by them yet, so they are accepted and ignored.
CONTEXT_PARAMETERS = frozenset(
    """
    representedOrganization.id.root representedOrganization.id.extension
    taskContext.c.c taskContext.c.cs taskContext.c.dn
    subTopic.v.c subTopic.v.cs subTopic.v.dn mainSearchCriteria.v.ot
    severityObservation.interpretationCode.c severityObservation.interpretationCode.cs
    severityObservation.interpretationCode.dn
    patientPerson.administrativeGenderCode.c patientPerson.administrativeGenderCode.cs
    patientPerson.administrativeGenderCode.dn
    age.v.v age.v.u ageGroup.v.c ageGroup.v.cs ageGroup.v.dn
    informationRecipient informationRecipient.languageCode.cs
    informationRecipient.healthCareProvider.c.c informationRecipient.healthCareProvider.c.cs
    informationRecipient.healthCareProvider.c.dn
    performer performer.languageCode.c performer.languageCode.cs
    performer.healthCareProvider.c.c performer.healthCareProvider.c.cs
    performer.healthCareProvider.c.dn
    encounter.c.c encounter.c.cs encounter.c.dn serviceDeliveryLocation.id.root
    locationOfInterest.addr.ZIP locationOfInterest.addr.CTY locationOfInterest.addr.STA
    locationOfInterest.addr.CNT locationOfInterest.addr.COU
    holder.assignedEntity.n holder.assignedEntity.certificateText
    """.split()  # noqa: SIM905 - one name per word, as in the guide's appendix
)
PARAMETERS = CONTEXT_PARAMETERS | {CODE_SYSTEM, CODE, DISPLAY_NAME, LANGUAGE, RESPONSE_TYPE}
MAX_VALUE_LENGTH = 500
# Characters XML 1.0 cannot hold: left out of any text that goes into a response.
UNSERIALIZABLE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ATOM_NS = "http://www.w3.org/2005/Atom"
# Release number and review date of each entry, which Atom has no element for.
PORTAL_NS = "urn:x-clinic-portal:infobutton"


class BadRequest(Exception):
    """A request the endpoint cannot answer; the message tells the sender what to fix."""

    def __init__(self, message, response_type=ATOM):
        super().__init__(message)
        self.response_type = response_type


@dataclass(frozen=True)
class Request:
    system: str
    code: str
    display_name: str
    language: str
    response_type: str


def xml_safe(text):
    """Return text without the characters XML cannot hold."""
    return UNSERIALIZABLE_RE.sub("", text)


def response_type(params):
    """Return the knowledgeResponseType asked for (Atom by default)."""
    values = params.getlist(RESPONSE_TYPE)
    if len(values) > 1:
        raise BadRequest(f"Give {RESPONSE_TYPE} once.")
    value = (values[0] if values else ATOM).strip().lower() or ATOM
    if value not in RESPONSE_TYPES:
        raise BadRequest(
            f"{RESPONSE_TYPE} must be text/xml (Atom, the default), application/json or text/html."
        )
    return value


def parse(params):
    """Return the Request in the query parameters, or raise BadRequest saying what is wrong."""
    kind = response_type(params)

    def single(name, required=False):
        values = params.getlist(name)
        if len(values) > 1:
            raise BadRequest(f"Give {name} once.", kind)
        value = values[0].strip() if values else ""
        if required and not value:
            raise BadRequest(f"{name} is required.", kind)
        return value

    for name, values in params.lists():
        if name not in PARAMETERS:
            raise BadRequest(f"Unknown parameter {name[:60]!r}.", kind)
        if len(values) > 1:
            raise BadRequest(f"Give {name} once.", kind)
        if "\x00" in values[0] or len(values[0]) > MAX_VALUE_LENGTH:
            raise BadRequest(f"{name} is not a valid value.", kind)
    system = single(CODE_SYSTEM, required=True)
    if system not in codes.SYSTEM_NAMES:
        raise BadRequest(
            f"{CODE_SYSTEM} must be {codes.ICD10CM} (ICD-10-CM) or {codes.SNOMED_CT} (SNOMED CT).",
            kind,
        )
    try:
        code = codes.normalize(system, single(CODE, required=True))
    except codes.InvalidCode as error:
        raise BadRequest(f"{CODE}: {error}", kind) from error
    language = single(LANGUAGE).lower().partition("-")[0] or lookup.DEFAULT_LANGUAGE
    if language not in lookup.LANGUAGES:
        raise BadRequest(f"{LANGUAGE} must be en (English) or es (Spanish).", kind)
    display_name = " ".join(xml_safe(single(DISPLAY_NAME)).split())
    return Request(system, code, display_name, language, kind)


def describe(found):
    """Return the feed's subtitle: what was asked for, and what matched it."""
    asked = f"{found.system_name} {found.code}"
    if found.matched_code == found.code:
        text = f"Handouts for {asked}"
    elif found.matched_code:
        text = f"Handouts for {asked}: nothing for that code, so for {found.matched_code}"
    elif found.matched_text:
        text = f"Handouts for {asked}: no topic has that code, so for “{found.matched_text}”"
    else:
        text = f"No handouts for {asked}"
    if found.language_fallback:
        text += f" ({lookup.LANGUAGES[found.language]} is not available yet: in English)"
    return text + "."


def matched_by(found):
    if found.matched_code:
        return "code" if found.matched_code == found.code else "parent code"
    return "display name" if found.matched_text else "none"


def entries(request, found):
    """Return each found release as a dict of what every response type shows."""
    items = []
    for release in found.releases:
        slug = release.article.slug
        url = absolute_url(request, release.get_absolute_url())
        items.append(
            {
                "title": xml_safe(release.title),
                "url": url,
                "id": f"{url}#release-{release.number}",
                "summary": xml_safe(release.summary),
                "language": release.language,
                "release": release.number,
                "last_reviewed": release.reviewed_on,
                "updated": release.go_live_at,
                "handout": absolute_url(request, reverse("articles:handout", args=[slug])),
                "pdf": absolute_url(request, reverse("articles:handout_pdf", args=[slug])),
            }
        )
    return items


def feed_updated(items):
    return max((item["updated"] for item in items), default=None) or timezone.now()


def categories(ask, found):
    """Return the request's terms as MedlinePlus Connect echoes them, plus what matched."""
    return [
        ("mainSearchCriteria.v.c", found.code),
        ("mainSearchCriteria.v.cs", found.system),
        ("mainSearchCriteria.v.dn", ask.display_name),
        ("informationRecipient.languageCode.c", found.served_language),
        ("matchedBy", matched_by(found)),
        ("matchedCode", found.matched_code),
    ]


def atom(request, ask, found, clinic):
    """Return the Atom feed of what was found."""
    items = entries(request, found)
    out = StringIO()
    xml = SimplerXMLGenerator(out, "utf-8")
    xml.startDocument()
    xml.startElement(
        "feed",
        {
            "xmlns": ATOM_NS,
            "xmlns:portal": PORTAL_NS,
            "xml:lang": found.served_language,
            "xml:base": absolute_url(request, "/"),
        },
    )
    xml.addQuickElement("title", xml_safe(f"{clinic.name}: handouts"), {"type": "text"})
    xml.addQuickElement("subtitle", describe(found), {"type": "text"})
    xml.addQuickElement("id", absolute_url(request, request.get_full_path()))
    xml.addQuickElement("link", attrs={"rel": "self", "href": request.build_absolute_uri()})
    xml.addQuickElement("updated", rfc3339_date(feed_updated(items)))
    xml.startElement("author", {})
    xml.addQuickElement("name", xml_safe(clinic.name))
    xml.addQuickElement("uri", absolute_url(request, "/"))
    xml.endElement("author")
    for scheme, term in categories(ask, found):
        xml.addQuickElement("category", attrs={"scheme": scheme, "term": term})
    for item in items:
        xml.startElement("entry", {"xml:lang": item["language"]})
        xml.addQuickElement("title", item["title"], {"type": "text"})
        xml.addQuickElement("link", attrs={"rel": "alternate", "type": "text/html", "href": item["url"]})  # fmt: skip
        xml.addQuickElement(
            "link",
            attrs={
                "rel": "related",
                "type": "text/html",
                "title": "Print handout",
                "href": item["handout"],
            },  # fmt: skip
        )
        xml.addQuickElement(
            "link",
            attrs={
                "rel": "related",
                "type": "application/pdf",
                "title": "Handout PDF",
                "href": item["pdf"],
            },  # fmt: skip
        )
        xml.addQuickElement("id", item["id"])
        xml.addQuickElement("updated", rfc3339_date(item["updated"]))
        xml.addQuickElement("summary", item["summary"], {"type": "text"})
        xml.addQuickElement("portal:release", str(item["release"]))
        xml.addQuickElement("portal:lastReviewed", item["last_reviewed"].isoformat())
        xml.endElement("entry")
    xml.endElement("feed")
    xml.endDocument()
    return HttpResponse(out.getvalue(), content_type=RESPONSE_TYPES[ATOM])


def value(text, **attrs):
    """Return a text node as MedlinePlus Connect's JSON writes one: {"_value": …}."""
    return {"_value": text, **attrs}


def as_json(request, ask, found, clinic):
    """Return the feed as JSON, in MedlinePlus Connect's shape."""
    items = entries(request, found)
    feed = {
        "base": absolute_url(request, "/"),
        "lang": found.served_language,
        "title": value(f"{clinic.name}: handouts", type="text"),
        "subtitle": value(describe(found), type="text"),
        "id": value(absolute_url(request, request.get_full_path())),
        "updated": value(rfc3339_date(feed_updated(items))),
        "author": {"name": value(clinic.name), "uri": value(absolute_url(request, "/"))},
        "category": [{"scheme": scheme, "term": term} for scheme, term in categories(ask, found)],
        "matchedBy": matched_by(found),
        "matchedCode": found.matched_code,
        "language": {
            "requested": found.language,
            "served": found.served_language,
            "fallback": found.language_fallback,
        },
        "entry": [
            {
                "title": value(item["title"], type="text"),
                "link": [
                    {"href": item["url"], "rel": "alternate", "type": "text/html"},
                    {"href": item["handout"], "rel": "related", "title": "Print handout"},
                    {"href": item["pdf"], "rel": "related", "title": "Handout PDF"},
                ],
                "id": value(item["id"]),
                "updated": value(rfc3339_date(item["updated"])),
                "summary": value(item["summary"], type="text"),
                "lang": item["language"],
                "release": item["release"],
                "lastReviewed": item["last_reviewed"].isoformat(),
            }
            for item in items
        ],
    }
    return HttpResponse(json.dumps({"feed": feed}), content_type=RESPONSE_TYPES[JSON])


def page(request, ask, found, clinic):
    """Return the page clinicians see when they click through: the handouts to print."""
    context = {"found": found, "subtitle": describe(found), "items": entries(request, found)}
    return render(request, "portal/infobutton.html", context)


def error(request, problem, status=400):
    """Return the problem in the format asked for: Atom's XML, JSON or a page."""
    message = str(problem)
    if problem.response_type == JSON:
        body = json.dumps({"error": {"status": status, "message": message}})
        return HttpResponse(body, status=status, content_type=RESPONSE_TYPES[JSON])
    if problem.response_type == HTML:
        response = render(request, "portal/infobutton.html", {"error": message}, status=status)
        return response
    out = StringIO()
    xml = SimplerXMLGenerator(out, "utf-8")
    xml.startDocument()
    xml.startElement("error", {})
    xml.addQuickElement("status", str(status))
    xml.addQuickElement("message", message)
    xml.endElement("error")
    xml.endDocument()
    return HttpResponse(out.getvalue(), status=status, content_type="text/xml; charset=utf-8")


RENDERERS = {ATOM: atom, JSON: as_json, HTML: page}


@require_safe
def infobutton(request):
    """Answer an HL7 Infobutton request with the live articles for a diagnosis code."""
    try:
        ask = parse(request.GET)
    except BadRequest as problem:
        return error(request, problem)
    found = lookup.find(ask.system, ask.code, ask.display_name, ask.language)
    return RENDERERS[ask.response_type](request, ask, found, ClinicSettings.load())
