"""The clinic's settings, for the layers below the site's wiring.

The clinic settings (portal.ClinicSettings) belong to `portal`, the top layer, but
`articles` needs one of them: the reading target that the publish gate and the plain-
language panel compare grades with. Imports run one way, so `articles` cannot import
`portal`; instead `portal` hands its loader to this module at start-up
(PortalConfig.ready) and `articles` reads values through it. Without a loader (a script
that never set Django up fully) the given default is used. Each process registers its
own loader at start-up; nothing is shared between processes.
"""

_loader = None


def register(loader):
    """Set the function that returns the clinic settings (called once, at start-up)."""
    global _loader
    _loader = loader


def setting(name, default):
    """Return the clinic setting `name`, or default when no loader is registered."""
    if _loader is None:
        return default
    return getattr(_loader(), name, default)
