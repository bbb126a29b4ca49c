from django.urls import path

from articles import handouts, sharing, views

app_name = "articles"

urlpatterns = [
    path("articles/", views.index, name="index"),
    path("articles/<slug:slug>/", views.detail, name="detail"),
    path("articles/<slug:slug>/handout/", handouts.handout, name="handout"),
    path("articles/<slug:slug>/handout.pdf", handouts.handout_pdf, name="handout_pdf"),
    path("articles/<slug:slug>/handout/record/", handouts.record, name="handout_record"),
    path("handouts/packet/", handouts.packet, name="packet"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("tags/<slug:slug>/", views.tag, name="tag"),
    path("faqs/", views.faqs, name="faqs"),
    path("preview/<str:token>/", sharing.shared_preview, name="shared_preview"),
]
