"""EMAIL_URL: one environment variable for Django's email settings, like DATABASE_URL."""

from urllib.parse import parse_qs, unquote, urlsplit

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
TRUE = {"1", "true", "yes", "on"}


def parse_email_url(url):
    """Return Django's email settings for an EMAIL_URL.

    smtp://user:password@host:port sends over SMTP, with STARTTLS on port 587 or with
    ?tls=1; smtps://user:password@host:port uses TLS from the start (port 465 unless
    given); console:// prints mails to the log; dummy:// drops them. Raise ValueError
    for anything else.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in BACKENDS:
        return {"EMAIL_BACKEND": BACKENDS[scheme]}
    if scheme not in ("smtp", "smtps"):
        raise ValueError(
            f"EMAIL_URL must start with smtp://, smtps://, console:// or dummy://, not {scheme!r}."
        )
    if not parts.hostname:
        raise ValueError("EMAIL_URL names no mail server, e.g. smtp://user:password@host:587.")
    try:
        port = parts.port
    except ValueError as error:
        raise ValueError("EMAIL_URL has a port that is not a number.") from error
    query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
    ssl = scheme == "smtps" or query.get("ssl") in TRUE
    port = port or (465 if ssl else 25)
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": ssl,
        "EMAIL_USE_TLS": not ssl and (port == 587 or query.get("tls") in TRUE),
    }
