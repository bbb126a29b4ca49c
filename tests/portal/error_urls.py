"""A URLconf whose one view fails, to exercise the 500 handler."""

from django.urls import path


def boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [path("boom/", boom)]

handler500 = "portal.views.server_error"
