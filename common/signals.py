"""Signals an app sends when it changes content in bulk, for the site to react to.

`QuerySet.update()` sends no model signal; content querysets send `content_changed`
instead, and portal/changes.py starts a new page-cache generation once it commits.
"""

from django.dispatch import Signal

# sender: the model class; pks: the primary keys changed, or None for "some".
content_changed = Signal()

# Sent when staff export data from the portal (a CSV file), for the audit trail to record.
# sender: the model exported; request: the request (None from a command); user: who
# exported it (None when unknown); message: what was exported, in plain words.
exported = Signal()
