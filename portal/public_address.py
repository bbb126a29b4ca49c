"""The portal's public address: where QR codes and printed links send patients.

It is the SITE_URL setting when a deployment sets one, else the clinic settings' public
address. Staff are warned (handout page, admin home, `check --deploy`) when it is one a
patient's phone cannot open.
"""

from django.core import checks

from common import structured_data
from common.addresses import HOW_TO_CHANGE, address_problem, address_warning


def warning():
    """Return the warning staff see about the public address, or "" when it is fine."""
    return address_warning(structured_data.site_url())


@checks.register(checks.Tags.security, deploy=True)
def check_public_address(app_configs, **kwargs):
    """Warn in `check --deploy` when handouts would print an address patients cannot open."""
    problem = address_problem(structured_data.site_url())
    if not problem:
        return []
    return [
        checks.Warning(
            f"Handouts' QR codes and links: {problem}",
            hint=HOW_TO_CHANGE,
            id="portal.W013",
        )
    ]
