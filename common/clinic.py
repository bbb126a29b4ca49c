"""The clinic's settings, for the layers below the site's wiring.

The clinic settings (portal.ClinicSettings) belong to `portal`, the top layer, but
`articles` needs one of them: the reading target that the publish gate and the plain-
language panel compare grades with, and `common.structured_data` needs the public
address that QR codes and canonical links use. Imports run one way, so `articles` cannot import
`portal`; instead `portal` hands its loader to this module at start-up
(PortalConfig.ready) and `articles` reads values through it. Without a loader (a script
that never set Django up fully) the given default is used. Each process registers its
own loader at start-up; nothing is shared between processes.
"""

import logging

from django.db import DatabaseError

logger = logging.getLogger(__name__)
_loader = None


def register(loader):
    """Set the function that returns the clinic settings (called once, at start-up)."""
    global _loader
    _loader = loader


def setting(name, default):
    """Return the clinic setting `name`, or default when it cannot be read.

    No loader (a script that never set Django up fully) or no table yet (before
    `migrate`) gives the default.
    """
    if _loader is None:
        return default
    try:
        return getattr(_loader(), name, default)
    except DatabaseError:
        logger.warning("Clinic settings: cannot read %s; using the default", name)
        return default
