from django.urls import path

from articles import handouts, sharing, views
from articles.pdf_limits import known_parameters_only, refusals_as_pages

app_name = "articles"

# <str:slug>, not <slug:slug>: slugs are made ASCII on save, but a row stored some other
# way (a bulk update, an old backup) must still link and open, never make a page 500.

urlpatterns = [
    path("articles/", views.index, name="index"),
    path("articles/<str:slug>/", views.detail, name="detail"),
    # Handouts and PDFs: only their own parameters (cacheable), and bounded PDF work.
    path(
        "articles/<str:slug>/handout/",
        known_parameters_only(handouts.handout),
        name="handout",
    ),
    path(
        "articles/<str:slug>/handout.pdf",
        known_parameters_only(refusals_as_pages(handouts.handout_pdf)),
        name="handout_pdf",
    ),
    path(
        "articles/<str:slug>/handout/record/",
        refusals_as_pages(handouts.record),
        name="handout_record",
    ),
    path("handouts/packet/", refusals_as_pages(handouts.packet), name="packet"),
    path("topics/", views.topics, name="topics"),
    path("topics/<str:slug>/", views.topic, name="topic"),
    path("tags/<str:slug>/", views.tag, name="tag"),  # taggit keeps accents: sueño
    path("faqs/", views.faqs, name="faqs"),
    path("preview/<str:token>/", sharing.shared_preview, name="shared_preview"),
]
