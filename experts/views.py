from django.http import Http404  # INTERIM


def expert_list(request):
    raise Http404


def detail(request, slug):
    raise Http404
