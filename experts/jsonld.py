"""schema.org Person data for experts."""

from common.links import safe_url
from common.richtext import plain_text
from common.structured_data import CONTEXT, absolute_url, with_absolute_url


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
    if expert.shown_role:
        data["jobTitle"] = expert.shown_role
    if expert.shown_affiliation:
        data["affiliation"] = {"@type": "Organization", "name": expert.shown_affiliation}
    return data


def expert_page(request, expert):
    """Return the Person for an expert's own page, with bio, photo and links."""
    data = {"@context": CONTEXT} | person(request, expert)
    if bio := " ".join(plain_text(expert.shown_bio).split()):
        data["description"] = bio
    if expert.photo:
        data["image"] = absolute_url(request, expert.photo.url)
    if links := [link.url for link in expert.links.all() if safe_url(link.url)]:
        data["sameAs"] = links
    return data
