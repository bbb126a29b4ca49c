from django.http import Http404  # INTERIM


def index(request):
    raise Http404


detail = topics = topic = tag = faqs = lambda request, slug=None: index(request)  # noqa: E731
