"""Say whether a web address is one a patient's phone can open (for QR codes and links)."""

import ipaddress
from urllib.parse import urlsplit

# Hosts that name this machine or a private network, never the public internet.
PRIVATE_SUFFIXES = (".local", ".internal", ".localhost", ".lan", ".home.arpa")
# Reserved for documentation (RFC 2606/6761): a demo address, not a real one.
EXAMPLE_SUFFIXES = (".example", ".test", ".invalid")
EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")


def address_problem(url):
    """Return why patients could not use url (one plain sentence), or "" if they can."""
    if not url:
        return "No public address is set, so handouts print the address they were printed from."
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if not host:
        return f"“{url}” is not a full web address."
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None and (ip.is_loopback or ip.is_unspecified):
        return f"{host} is this computer's own address: no patient's phone can open it."
    if ip is not None and (ip.is_private or ip.is_link_local or ip.is_reserved):
        return f"{host} is a private-network address: patients' phones cannot open it."
    if host == "localhost" or host.endswith(PRIVATE_SUFFIXES) or "." not in host:
        return f"{host} is a local or internal name: patients' phones cannot open it."
    if host.endswith(EXAMPLE_SUFFIXES) or any(
        host == domain or host.endswith("." + domain) for domain in EXAMPLE_DOMAINS
    ):
        return f"{host} is an example address from the demo, not the clinic's real one."
    return ""


HOW_TO_CHANGE = (
    "Set the real public address in the admin under Clinic › Clinic settings › "
    "“Public address of this portal” (or the SITE_URL environment variable)."
)


def address_warning(url):
    """Return the warning staff see about url, with how to change it, or "" when it is fine."""
    problem = address_problem(url)
    return f"{problem} {HOW_TO_CHANGE}" if problem else ""
