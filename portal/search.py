from django.http import Http404  # INTERIM


def search(request):
    raise Http404
