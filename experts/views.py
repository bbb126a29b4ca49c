"""Public expert pages: the list of experts and each expert's page."""

from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, render

from articles import jsonld
from articles.models import Article, Quote
from experts.models import Expert


def expert_list(request):
    """List the clinic's experts."""
    return render(request, "experts/list.html", {"experts": Expert.objects.all()})


def detail(request, slug):
    """Show an expert's bio and links, and the published articles they reviewed or are quoted in."""
    expert = get_object_or_404(Expert.objects.prefetch_related("links"), slug=slug)
    quoted = Exists(Quote.objects.filter(article=OuterRef("pk"), expert=expert))
    articles = (
        Article.objects.published()
        .for_listing()
        .filter(Q(reviewed_by=expert) | Q(author=expert) | quoted)
    )
    context = {
        "expert": expert,
        "articles": articles,
        "person_data": jsonld.expert_page(request, expert),
    }
    return render(request, "experts/detail.html", context)
