"""A URLconf with a public view that passes its query string to the database."""

from django.http import HttpResponse
from django.urls import include, path

from articles.models import Article


def lookup(request):
    found = Article.objects.filter(slug=request.GET.get("slug", "")).exists()
    return HttpResponse("found" if found else "not found")


urlpatterns = [path("lookup/", lookup), path("", include("portal.urls"))]
