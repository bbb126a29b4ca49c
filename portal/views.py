from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotFound,
    HttpResponseServerError,
)  # INTERIM


def home(request):
    return HttpResponse("<h1>Portal</h1>")


def robots_txt(request):
    raise Http404


def sitemap(request):
    raise Http404


def feed(request):
    raise Http404


def page_not_found(request, exception=None):
    return HttpResponseNotFound("Not found")


def server_error(request):
    return HttpResponseServerError("Error")
