"""Public pages of the medical content (published versions only), share-link previews,
and the editor's image upload."""

from itertools import groupby
from urllib.parse import urlencode

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import ListView

from articles import seo
from articles.cards import page_card
from articles.images import clean_uploaded_image
from articles.models import Article, Condition, ShareCard, Treatment, Version, clean_slug
from articles.pages import (
    article_page,
    condition_page,
    find_published,
    treatment_page,
)
from articles.preview import version_id_from_token
from articles.search import MOST_PAGES, search_site
from articles.tscore import interpret_t_score, t_score_scale
from genoma.cache import kept_until_content_changes

RELATED_ARTICLES = 3
ARTICLES_PER_PAGE = 10  # the article list, and the articles of a condition or a treatment


class ListPaginator(Paginator):
    """Reads a page in the second half of a list from the list's other end: the database
    walks every row an OFFSET skips, so the last of 200 pages of articles read 2,000 rows
    to show 10; read backwards it reads those 10."""

    def page(self, number):
        page = super().page(number)
        rows_after = self.count - page.end_index()
        rows_before = page.start_index() - 1
        if rows_after < rows_before and getattr(self.object_list, "ordered", False):
            backwards = self.object_list.reverse()[rows_after : self.count - rows_before]
            page.object_list = list(backwards)[::-1]
        return page


def page_of(request, items, per_page):
    """The page of `items` that `?page=N` asks for (the first without it), as a ListView
    reads it: 404 for a page that is not there."""
    paginator = ListPaginator(items, per_page)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404(_("There is no such page.")) from error


class ArticleListView(ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = ARTICLES_PER_PAGE
    paginator_class = ListPaginator

    def get(self, request, *args, **kwargs):
        self.condition = None
        slug = clean_slug(request.GET.get("condition"))
        if slug:
            self.condition = Version.objects.for_list().of(Condition).filter(slug=slug).first()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        articles = Version.objects.articles_for_list()
        if self.condition:
            articles = articles.filter(conditions=self.condition.object_id)
        return articles

    def get_context_data(self, **kwargs):
        # The list's other parameter, kept by the links to its other pages.
        page_query = urlencode({"condition": self.condition.slug}) + "&" if self.condition else ""
        return super().get_context_data(
            condition=self.condition,
            condition_options=condition_options(self.condition),
            unknown_condition=bool(self.request.GET.get("condition")) and not self.condition,
            page_query=page_query,
            **kwargs,
        )


def condition_options(selected):
    """The list's filter, one <option> per published condition: the same hundred on each
    of the list's pages, so made once per language, selected condition and content
    version (reading and rendering them was a third of a page's cost)."""
    return kept_until_content_changes(
        ("condition-options", get_language(), selected.slug if selected else ""),
        lambda: render_to_string(
            "articles/condition_options.html",
            {
                "conditions": Version.objects.for_list().of(Condition).order_by("title"),
                "condition": selected,
            },
        ),
    )


@require_safe
def published_detail(request, slug, model):
    """The page of the `model` record published at `slug`; a permanent redirect when the
    record was published at `slug` once and has moved since; 404 when neither."""
    version = find_published(model, slug)
    if version is None:
        moved = Version.objects.moved_from(model, slug)
        if moved is None:
            raise Http404(_("Nothing is published at this address."))
        return HttpResponsePermanentRedirect(moved.get_absolute_url())
    return RENDERERS[model](request, version)


def _render_article(request, version, preview=False):
    page = article_page(version, related_count=RELATED_ARTICLES)
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": page.article,
            "version": version,
            "page": page,
            "preview": preview,
            "primary_condition": page.conditions[0] if page.conditions else None,
            "json_ld": seo.article_json_ld(request, page),
            "share_card": page_card(request, version, page.share_card),
        },
    )


class ConditionListView(ListView):
    template_name = "articles/condition_list.html"
    context_object_name = "conditions"
    paginate_by = 50
    paginator_class = ListPaginator

    def get_queryset(self):
        return Version.objects.for_list().of(Condition).order_by("title", "object_id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["letters"] = by_initial(context["conditions"])  # the page's conditions
        return context


def by_initial(conditions):
    """(letter, conditions) for an A–Z list: one letter whatever the case of the titles'
    initials, the conditions in their order under it."""

    def initial(condition):
        return condition.title[:1].lower()

    groups = (list(group) for _initial, group in groupby(sorted(conditions, key=initial), initial))
    return [(group[0].title[:1].upper(), group) for group in groups]


def _render_condition(request, version, preview=False):
    page = condition_page(version)
    raw_t_score = request.GET.get("t_score")
    interpretation = None
    if page.has_interpreter and raw_t_score is not None:
        interpretation = interpret_t_score(raw_t_score, page.bands)
    marked = interpretation.value if interpretation and interpretation.band else None
    return render(
        request,
        "articles/condition_detail.html",
        {
            "condition": page.condition,
            "version": version,
            "page": page,
            "preview": preview,
            "has_interpreter": page.has_interpreter,
            "interpretation": interpretation,
            "scale": t_score_scale(page.bands, marked) if page.has_interpreter else None,
            "raw_t_score": raw_t_score or "",
            "json_ld": seo.condition_json_ld(request, page),
            "share_card": page_card(request, version, ShareCard.objects.image_of(version)),
            "articles": page_of(request, page.articles, ARTICLES_PER_PAGE),
        },
    )


class TreatmentListView(ListView):
    template_name = "articles/treatment_list.html"
    context_object_name = "treatments"
    paginate_by = 20
    paginator_class = ListPaginator

    def get_queryset(self):
        return Version.objects.treatments_for_list().order_by("title", "object_id")


def _render_treatment(request, version, preview=False):
    page = treatment_page(version)
    return render(
        request,
        "articles/treatment_detail.html",
        {
            "treatment": page.treatment,
            "version": version,
            "page": page,
            "preview": preview,
            "json_ld": seo.treatment_json_ld(request, page),
            "share_card": page_card(request, version, ShareCard.objects.image_of(version)),
            "articles": page_of(request, page.articles, ARTICLES_PER_PAGE),
        },
    )


RENDERERS = {Article: _render_article, Condition: _render_condition, Treatment: _render_treatment}


@never_cache
@require_safe
def preview(request, token):
    """A version as the public would see it once published, from a signed share link."""
    version = None
    try:
        version_id = version_id_from_token(token)
    except signing.SignatureExpired:
        problem = _("This preview link has expired: preview links last seven days.")
    except signing.BadSignature:
        problem = _("This preview link is not valid: check that it was copied whole.")
    else:
        version = Version.objects.select_related("approved_by").filter(pk=version_id).first()
        problem = _("This preview link is not valid: check that it was copied whole.")
    if version is None or version.model not in RENDERERS:
        response = render(
            request, "articles/preview_refused.html", {"problem": problem}, status=404
        )
    else:
        response = RENDERERS[version.model](request, version, preview=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


class ResultsPage:
    """A page of search results as `articles/pagination.html` reads a list's page. Search
    does not count its results, so the page knows whether another follows, not how many."""

    paginator = None  # no count: "Page 2", not "Page 2 of 9"

    def __init__(self, number, has_next):
        self.number = number
        self.has_next = has_next
        self.has_previous = number > 1
        self.has_other_pages = self.has_previous or has_next
        self.previous_page_number = number - 1
        self.next_page_number = number + 1


@require_safe
def search(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    context = {"query": query, "results": None}
    if query:
        asked = request.GET.get("page") or "1"
        number = int(asked) if asked.isdecimal() else 0
        if not 1 <= number <= MOST_PAGES:
            raise Http404(_("There is no such page."))
        results, more = search_site(query, number)
        same_search = urlencode({"q": query})
        if number > 1 and not any(results.values()):
            # Past the last page: results change with each publication, and a Thai search
            # finds more than the same search in English (the language switcher keeps the
            # page), so the search stays on screen, with the way back to its first page.
            context.update(past_the_end=number, first_page=f"?{same_search}")
            return render(request, "articles/search.html", context, status=404)
        context.update(
            results=results, page_obj=ResultsPage(number, more), page_query=f"{same_search}&"
        )
    return render(request, "articles/search.html", context)


@never_cache
@require_POST
def editor_image_upload(request):
    """CKEditor 5's simple upload adapter: staff who edit articles may upload images."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("articles.change_article")):
        return JsonResponse(
            {"error": {"message": _("You do not have permission to upload images.")}}, status=403
        )
    upload = request.FILES.get("upload")
    if upload is None:
        return JsonResponse({"error": {"message": _("Choose an image to upload.")}}, status=400)
    try:
        cleaned = clean_uploaded_image(upload, "articles/editor")
    except ValidationError as error:
        return JsonResponse({"error": {"message": " ".join(error.messages)}}, status=400)
    name = default_storage.save(cleaned.name, cleaned)
    return JsonResponse({"url": default_storage.url(name)})
