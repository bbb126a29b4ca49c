from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import health, search, views

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search.search, name="search"),
    path("healthz", health.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("feed.xml", views.feed, name="feed"),
]

urlpatterns = [
    path("", include((urlpatterns, "portal"))),
    path("", include("articles.urls")),
    path("experts/", include("experts.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
