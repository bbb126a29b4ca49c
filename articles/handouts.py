from django.http import Http404  # INTERIM


def handout(request, slug):
    raise Http404


handout_pdf = handout
