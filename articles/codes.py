"""Diagnosis codes on topics: ICD-10-CM and SNOMED CT, checked and written one way.

The Infobutton endpoint and the admin's "Find handouts by code" box match a code from
the health record against the codes stored on topics; both go through normalize(), so
"g2581", "G25.81" and " G25.81 " are the same code.
"""

import re

ICD10CM = "2.16.840.1.113883.6.90"
SNOMED_CT = "2.16.840.1.113883.6.96"
SYSTEM_NAMES = {ICD10CM: "ICD-10-CM", SNOMED_CT: "SNOMED CT"}

# A category (a letter, a digit, a digit or letter: A00–Z99, also C4A, M1A …) and up to
# four more characters after the dot.
ICD10CM_RE = re.compile(r"([A-Z][0-9][0-9A-Z])([0-9A-Z]{0,4})")
SNOMED_CT_RE = re.compile(r"[1-9][0-9]{5,17}")
MAX_LENGTH = 20  # longer than any valid code of either system

EXAMPLES = {ICD10CM: "G25.81", SNOMED_CT: "32914008"}


class InvalidCode(ValueError):
    """Raised for a code that cannot belong to its system; the message says why."""


def normalize(system, code):
    """Return the code as stored (ICD-10-CM upper case with its dot), or raise InvalidCode."""
    if system not in SYSTEM_NAMES:
        raise InvalidCode("Choose ICD-10-CM or SNOMED CT.")
    text = (code or "").strip()
    if not text:
        raise InvalidCode("Enter a code.")
    example = EXAMPLES[system]
    if len(text) > MAX_LENGTH:
        raise InvalidCode(f"That is too long for a {SYSTEM_NAMES[system]} code, e.g. {example}.")
    if system == SNOMED_CT:
        if not SNOMED_CT_RE.fullmatch(text):
            raise InvalidCode(f"A SNOMED CT code is 6 to 18 digits, e.g. {example}.")
        return text
    text = text.upper()
    head, dot, tail = text.partition(".")
    match = ICD10CM_RE.fullmatch(head + tail) if not dot or len(head) == 3 else None
    if not match or "." in tail:
        raise InvalidCode(
            "An ICD-10-CM code is a letter, two digits and up to four more characters "
            f"after a dot, e.g. {example}."
        )
    category, rest = match.groups()
    return f"{category}.{rest}" if rest else category


def parents(code):
    """Return an ICD-10-CM code and its parents, nearest first: G25.81, G25.8, G25."""
    category, _, rest = code.partition(".")
    return [f"{category}.{rest[:n]}" for n in range(len(rest), 0, -1)] + [category]


def guess_system(code):
    """Return the system a code's shape suggests: digits are SNOMED CT, else ICD-10-CM."""
    return SNOMED_CT if (code or "").strip().isdigit() else ICD10CM
