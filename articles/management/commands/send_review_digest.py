"""manage.py send_review_digest: email medical reviewers the reviews falling due, weekly.

Safe to run from cron as often as you like, or by hand: each reviewer gets the digest
at most once per ISO week (recorded in ReviewDigest). Nothing is sent when no review is
overdue or due within 30 days.
"""

from django.core.mail import EmailMessage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from articles import notifications, queue
from articles.models import ReviewDigest


def iso_week(day):
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


class Command(BaseCommand):
    help = (
        "Email each medical reviewer the articles whose review is overdue or due within "
        "30 days; at most once per reviewer per week, so it is safe to run daily."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        week = iso_week(today)
        articles = list(queue.reviews_due())
        if not articles:
            self.stdout.write("No reviews are overdue or due within 30 days: nothing sent.")
            return
        subject, body = notifications.digest(articles, today)
        sent, already, failed = [], [], []
        for user in notifications.reviewers():
            try:
                with transaction.atomic():
                    _, created = ReviewDigest.objects.get_or_create(week=week, recipient=user)
                    if created:  # a failed send rolls the record back: tried again next run
                        EmailMessage(subject, body, to=[user.email]).send()
            except Exception as error:  # one bad address must not stop the others
                failed.append(f"{user.get_username()} ({error})")
                continue
            (sent if created else already).append(user.get_username())
        self.stdout.write(
            f"Review digest for {week}: sent to {len(sent)}, already sent to {len(already)}."
        )
        if failed:
            raise CommandError("Could not send the digest to: " + "; ".join(failed))
