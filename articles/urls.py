from django.urls import path

from articles import views
from articles.feeds import LatestArticlesFeed
from articles.models import Article, Condition, Treatment

app_name = "articles"

urlpatterns = [
    path("articles/", views.ArticleListView.as_view(), name="article_list"),
    path(
        "articles/<slug:slug>/",
        views.published_detail,
        {"model": Article},
        name="article_detail",
    ),
    path("conditions/", views.ConditionListView.as_view(), name="condition_list"),
    path(
        "conditions/<slug:slug>/",
        views.published_detail,
        {"model": Condition},
        name="condition_detail",
    ),
    path("treatments/", views.TreatmentListView.as_view(), name="treatment_list"),
    path(
        "treatments/<slug:slug>/",
        views.published_detail,
        {"model": Treatment},
        name="treatment_detail",
    ),
    path("search/", views.search, name="search"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("preview/<str:token>/", views.preview, name="preview"),
    path("editor/images/", views.editor_image_upload, name="editor_image_upload"),
]
