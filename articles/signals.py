"""Signals the editorial workflow sends, for the site (the audit trail) to record.

articles may not import portal; portal/audit.py listens to `workflow_event` instead.
"""

from django.dispatch import Signal

# sender: Article; article: the article; action: one of articles.workflow's actions;
# request: the request acting (None in the shell or a command); user: who acted;
# obj: the row the action made (a release, a share link) or None; message: for the record.
workflow_event = Signal()
