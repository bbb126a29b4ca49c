from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from portal import handout_finder, health, infobutton, two_factor, views
from portal.api import api
from portal.feeds import LatestArticlesFeed
from portal.languages import language_prefixed
from portal.sitemaps import SITEMAPS
from search import views as search_views

# Patient pages answer at /… in English and /es/… in Spanish (portal/languages.py);
# the rest keep one address.
urlpatterns = [
    language_prefixed(
        path("", views.home, name="home"),
        path("search/", search_views.search, name="search"),
        # One feed per language: /feed.xml English articles, /es/feed.xml Spanish ones.
        path("feed.xml", LatestArticlesFeed(), name="feed"),
    ),
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("infobutton/", infobutton.infobutton, name="infobutton"),
]

expert_urlpatterns = [
    path("", views.expert_list, name="list"),
    path("<str:slug>/", views.expert_detail, name="detail"),
]

urlpatterns = [
    path("", include((urlpatterns, "portal"))),
    language_prefixed(
        path("", include("articles.urls")),
        path("experts/", include((expert_urlpatterns, "experts"))),
    ),
    path("admin/2fa/", include((two_factor.urlpatterns, "two_factor"))),
    path("api/v1/", api.urls),
    path("admin/find-handouts/", handout_finder.find_handouts, name="find_handouts"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
