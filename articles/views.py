"""Public pages of the medical content, and the editor's image upload."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import DetailView, ListView

from articles import seo
from articles.images import clean_uploaded_image
from articles.models import Article, Condition, Treatment, TreatmentPoint, TScoreBand, clean_slug
from articles.pages import find_article, find_condition, load_article_page, load_condition_page
from articles.search import search_site
from articles.tscore import interpret_t_score

RELATED_ARTICLES = 3


class ArticleListView(ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = 10

    def get(self, request, *args, **kwargs):
        self.condition = None
        slug = clean_slug(request.GET.get("condition"))
        if slug:
            self.condition = Condition.objects.filter(slug=slug).first()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        articles = Article.objects.published().for_list()
        if self.condition:
            articles = articles.filter(conditions=self.condition)
        return articles

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            condition=self.condition,
            conditions=Condition.objects.only("name", "slug"),
            unknown_condition=bool(self.request.GET.get("condition")) and not self.condition,
            **kwargs,
        )


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        article = find_article(self.kwargs["slug"], unpublished=self.is_preview())
        if article is None:
            raise Http404(_("No article at this address."))
        return article

    def is_preview(self):
        if settings.SESSION_COOKIE_NAME not in self.request.COOKIES:
            return False  # no session, no staff: and no session lookup for the public
        return self.request.user.is_staff and self.request.user.has_perm("articles.view_article")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.object.is_public:
            # A staff preview of a draft or scheduled article: never cache it.
            response["Cache-Control"] = "private, no-store"
        return response

    def get_context_data(self, **kwargs):
        article = self.object
        page = load_article_page(article, related_count=RELATED_ARTICLES)
        return super().get_context_data(
            page=page,
            primary_condition=page.conditions[0] if page.conditions else None,
            json_ld=seo.article_json_ld(self.request, article, page),
            **kwargs,
        )


class ConditionListView(ListView):
    template_name = "articles/condition_list.html"
    context_object_name = "conditions"
    queryset = Condition.objects.only("name", "slug", "summary")


@require_safe
def condition_detail(request, slug):
    condition = find_condition(slug)
    if condition is None:
        raise Http404(_("No condition at this address."))
    page = load_condition_page(condition)
    bands = list(TScoreBand.objects.select_related("condition"))
    has_interpreter = any(band.condition_id == condition.pk for band in bands)
    raw_t_score = request.GET.get("t_score")
    interpretation = None
    if has_interpreter and raw_t_score is not None:
        interpretation = interpret_t_score(raw_t_score, bands)
    return render(
        request,
        "articles/condition_detail.html",
        {
            "condition": condition,
            "page": page,
            "bands": bands,
            "has_interpreter": has_interpreter,
            "interpretation": interpretation,
            "raw_t_score": raw_t_score or "",
            "json_ld": seo.condition_json_ld(request, condition, page),
        },
    )


class TreatmentListView(ListView):
    template_name = "articles/treatment_list.html"
    context_object_name = "treatments"
    queryset = Treatment.objects.only("name", "slug", "summary", "kind", "evidence_status")


@require_safe
def treatment_detail(request, slug):
    treatments = Treatment.objects.prefetch_related(
        Prefetch("points", to_attr="point_list"),
        Prefetch("condition_treatments__condition"),
        Prefetch(
            "articles",
            queryset=Article.objects.published().for_list(),
            to_attr="published_articles",
        ),
    )
    treatment = get_object_or_404(treatments, slug=slug)
    groups = []
    for kind, label in (
        (TreatmentPoint.Kind.STEPS, _("How the treatment is given")),
        (TreatmentPoint.Kind.MECHANISMS, _("How it may work")),
        (TreatmentPoint.Kind.BENEFITS, _("Benefits")),
        (TreatmentPoint.Kind.CONSIDERATIONS, _("Considerations")),
        (TreatmentPoint.Kind.OUTCOMES, _("Reported outcomes")),
    ):
        points = [point for point in treatment.point_list if point.kind == kind]
        if points:
            groups.append({"kind": kind, "heading": label, "points": points})
    conditions = {ct.condition_id: ct.condition for ct in treatment.condition_treatments.all()}
    for group in groups:
        for point in group["points"]:
            point.condition_obj = conditions.get(point.condition_id)
    return render(
        request,
        "articles/treatment_detail.html",
        {
            "treatment": treatment,
            "groups": groups,
            "condition_treatments": treatment.condition_treatments.all(),
            "json_ld": seo.treatment_json_ld(request, treatment),
        },
    )


@require_safe
def search(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    results = search_site(query) if query else None
    return render(request, "articles/search.html", {"query": query, "results": results})


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
