from django.urls import path

from articles import handouts, views

app_name = "articles"

urlpatterns = [
    path("articles/", views.index, name="index"),
    path("articles/<slug:slug>/", views.detail, name="detail"),
    path("articles/<slug:slug>/handout/", handouts.handout, name="handout"),
    path("articles/<slug:slug>/handout.pdf", handouts.handout_pdf, name="handout_pdf"),
    path("handouts/packet/", handouts.packet, name="packet"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("tags/<str:slug>/", views.tag, name="tag"),  # taggit keeps accents: sueño
    path("faqs/", views.faqs, name="faqs"),
]
