"""Versions, review and publishing on the admin pages of articles, conditions and treatments.

Saving records a version of the working copy and never changes a public page. The
workflow moves are buttons on the record's change page (`_submit_for_review`,
`_approve`, `_request_changes`, `_publish`, `_unpublish`); the history page lists the
versions, compares any two and restores one. Who may make each move is decided in
articles/publishing.py, so a button posted by hand is refused like a hidden one.

English is the source and Thai its translation, each with its own versions: a move
acts on the language its button names (`value="th"`: the translation; anything else:
English), and two versions are compared within one language.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles import publishing
from articles.models import Version
from articles.preview import PREVIEW_LIFETIME, preview_token
from articles.translation import LANGUAGE_NAMES, SOURCE, TRANSLATION
from articles.versioning import compare, source_changed, untranslated_texts

MOVES = ("_submit_for_review", "_approve", "_request_changes", "_publish", "_unpublish")
MISSING, OUT_OF_DATE = "missing", "out_of_date"


def move_language(request, move):
    """The language a workflow button acts on: its value "th" names the translation; any
    other value ("en", none, or an older form's label) the English source."""
    return TRANSLATION if request.POST.get(move) == TRANSLATION else SOURCE


def in_language(language, message):
    """`message` about a version in `language`: a translation's says so, since each
    language numbers its versions on its own."""
    if language == SOURCE:
        return message
    return gettext("%(language)s translation: %(message)s") % {
        "language": LANGUAGE_NAMES[language],
        "message": message,
    }


def stale_translations(rows):
    """The English working copies whose words changed since the translation was made.

    `rows`: (model, the record's English working copy id, the id of the English version
    its Thai working copy was made from). A translation made from the working copy
    itself is up to date; the others are compared word by word (an English save that
    changed no words, such as a new slug, leaves a translation up to date), with the
    documents read in one query.
    """
    behind = {
        english: (model, source)
        for model, english, source in rows
        if english is not None and source != english
    }
    if not behind:
        return set()
    wanted = {*behind, *(source for _model, source in behind.values())} - {None}
    documents = dict(Version.objects.filter(pk__in=wanted).values_list("pk", "data"))
    return {
        english
        for english, (model, source) in behind.items()
        if source not in documents or source_changed(model, documents[source], documents[english])
    }


class VersionedForm(forms.ModelForm):
    change_note = forms.CharField(
        label=_("Change note"),
        max_length=200,
        required=False,
        help_text=_("Optional: what you changed and why, for the reviewer and the history."),
    )


class WorkflowForm(forms.Form):
    comment = forms.CharField(required=False, max_length=2000)
    next_review_due = forms.DateField(required=False)
    # The working copy the page showed, English (`version`) or Thai (`version_th`): a
    # move is made on that version or on none.
    version = forms.IntegerField(required=False, min_value=1)
    version_th = forms.IntegerField(required=False, min_value=1)

    def clean_next_review_due(self):
        due = self.cleaned_data["next_review_due"]
        if due and due <= timezone.localdate():
            raise forms.ValidationError(_("The next review must fall due after today."))
        return due

    def shown(self, language):
        """The number of the working copy in `language` that the page showed, if it said."""
        return self.cleaned_data["version" if language == SOURCE else f"version_{language}"]


class ReviewFilter(admin.SimpleListFilter):
    title = _("review and publishing")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("waiting", _("Waiting for review")),
            ("sent_back", _("Sent back to the editor")),
            ("unpublished_changes", _("Changed since published")),
            ("awaiting", _("Published without medical review")),
            ("overdue", _("Review overdue")),
            ("due_30_days", _("Review due within 30 days")),
            ("unpublished", _("Not published")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        match self.value():
            case "waiting":
                return queryset.filter(working_state=Version.State.SUBMITTED)
            case "sent_back":
                return queryset.filter(working_state=Version.State.REJECTED)
            case "unpublished_changes":
                return queryset.filter(live_number__isnull=False).exclude(
                    working_number=F("live_number")
                )
            case "awaiting":
                return queryset.filter(live_number__isnull=False, live_reviewer__isnull=True)
            case "overdue":
                return queryset.filter(live_review_due__lt=today)
            case "due_30_days":
                return queryset.filter(
                    live_review_due__gte=today,
                    live_review_due__lte=today + timedelta(days=30),
                )
            case "unpublished":
                return queryset.filter(live_number__isnull=True)
        return queryset


class TranslationFilter(admin.SimpleListFilter):
    """Records by their Thai translation: missing, out of date, or its working copy's state."""

    title = _("Thai translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            (MISSING, _("Missing")),
            (OUT_OF_DATE, _("Out of date")),
            *Version.State.choices,
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == MISSING:
            return queryset.filter(thai_number__isnull=True)
        translated = queryset.filter(thai_number__isnull=False)
        rows = list(translated.values_list("pk", "working_id", "thai_source"))
        stale = stale_translations((queryset.model, english, source) for _, english, source in rows)
        outdated = [pk for pk, english, _source in rows if english in stale]
        if value == OUT_OF_DATE:
            return queryset.filter(pk__in=outdated)
        return translated.filter(thai_state=value).exclude(pk__in=outdated)


class VersionedChangeList(ChangeList):
    """Tells each listed record whether its translation is out of date, for the page's
    rows at once (VersionedAdmin.thai_translation)."""

    def get_results(self, request):
        super().get_results(request)
        stale = stale_translations(
            (self.model, obj.working_id, obj.thai_source)
            for obj in self.result_list
            if obj.thai_number is not None
        )
        for obj in self.result_list:
            obj.thai_out_of_date = obj.working_id in stale


class VersionedAdmin:
    """For the ModelAdmins of versioned records (with `form` a VersionedForm)."""

    change_form_template = "admin/articles/versioned_change_form.html"
    list_per_page = 50  # as the requests': a page of thousands of records stays quick to read
    object_history_template = "admin/articles/version_history.html"

    # The changelist: each record's working copy and published version, and its Thai
    # translation's working copy, in one query.

    def get_queryset(self, request):
        content_type = ContentType.objects.get_for_model(self.model)
        of_record = Version.objects.filter(content_type=content_type, object_id=OuterRef("pk"))
        versions = of_record.filter(language=SOURCE)
        latest = versions.order_by("-number")
        live = versions.live()
        thai = of_record.filter(language=TRANSLATION).order_by("-number")
        return (
            super()
            .get_queryset(request)
            .annotate(
                working_id=Subquery(latest.values("pk")[:1]),
                working_number=Subquery(latest.values("number")[:1]),
                working_state=Subquery(latest.values("state")[:1]),
                live_number=Subquery(live.values("number")[:1]),
                live_reviewer=Subquery(live.values("approved_by__name")[:1]),
                live_review_due=Subquery(live.values("next_review_due")[:1]),
                scheduled_from=Subquery(
                    versions.filter(live_from__gt=timezone.now()).values("live_from")[:1]
                ),
                thai_number=Subquery(thai.values("number")[:1]),
                thai_state=Subquery(thai.values("state")[:1]),
                thai_source=Subquery(thai.values("source")[:1]),
            )
        )

    def get_changelist(self, request, **kwargs):
        return VersionedChangeList

    @admin.display(description=_("working copy"), ordering="working_state")
    def working_copy(self, obj):
        if obj.working_number is None:
            return "—"
        return _("version %(number)s, %(state)s") % {
            "number": obj.working_number,
            "state": Version.State(obj.working_state).label.lower(),
        }

    @admin.display(description=_("published"), ordering="live_number")
    def publication(self, obj):
        if obj.live_number is None:
            shown = _("Not published")
        elif obj.live_number == obj.working_number:
            shown = _("Version %(number)s (the working copy)") % {"number": obj.live_number}
        else:
            shown = _("Version %(number)s (changed since)") % {"number": obj.live_number}
        if obj.scheduled_from is None:
            return shown
        when = timezone.localtime(obj.scheduled_from).strftime("%d %B %Y, %H:%M")
        return f"{shown} · {_('Scheduled for %(when)s') % {'when': when}}"

    @admin.display(description=_("medical review"), ordering="live_reviewer")
    def medical_review(self, obj):
        if obj.live_number is None:
            return "—"
        return obj.live_reviewer or _("Awaiting medical review")

    @admin.display(description=_("next review due"), ordering="live_review_due")
    def next_review_due(self, obj):
        return obj.live_review_due or "—"

    @admin.display(description=_("Thai translation"), ordering="thai_state")
    def thai_translation(self, obj):
        if obj.thai_number is None:
            return _("missing")
        if getattr(obj, "thai_out_of_date", False):
            return _("out of date")
        return Version.State(obj.thai_state).label.lower()

    # Saving records a version.

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj) or (
            obj is None and self.has_add_permission(request)
        ):
            fieldsets = [*fieldsets, (_("Change note"), {"fields": ["change_note"]})]
        return fieldsets

    def delete_model(self, request, obj):
        # The versions stay, as evidence; the public stops seeing the record with it.
        publishing.withdraw(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            publishing.withdraw(obj)
        super().delete_queryset(request, queryset)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        publishing.record_versions(
            form.instance, request.user, form.cleaned_data.get("change_note", "")
        )

    # The workflow moves.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        move = next((name for name in MOVES if name in request.POST), None)
        if request.method != "POST" or move is None or object_id is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("This record does not exist."))
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[quote(obj.pk)],
            current_app=self.admin_site.name,
        )
        if move == "_submit_for_review" and self.opts.get_field("slug").name in request.POST:
            # Submitted from the edit form itself: save what was typed first.
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if not isinstance(response, HttpResponseRedirect):
                return response  # the form has errors: shown, nothing submitted
            storage = messages.get_messages(request)
            list(storage)  # the "changed successfully" message gives way to the move's own
        self._make_move(request, obj, move)
        return HttpResponseRedirect(change_url)

    def _make_move(self, request, obj, move):
        language = move_language(request, move)
        form = WorkflowForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, in_language(language, error))
            return
        comment = form.cleaned_data["comment"]
        version = publishing.latest_version(obj, language)
        try:
            if version is None and move != "_unpublish":
                raise publishing.WorkflowError(
                    gettext("Save the record first.")
                    if language == SOURCE
                    else gettext("There is no translation yet: write it and save first.")
                )
            self._check_shown(move, version, form.shown(language))
            if move == "_submit_for_review":
                if not self.has_change_permission(request, obj):
                    raise publishing.WorkflowError(
                        gettext("Only an editor of the content may submit it for review.")
                    )
                publishing.submit(version, request.user)
                done = gettext("Version %(number)s was submitted for medical review.")
            elif move == "_approve":
                publishing.approve(
                    version, request.user, comment, form.cleaned_data["next_review_due"]
                )
                done = gettext("Version %(number)s was approved.")
            elif move == "_request_changes":
                publishing.request_changes(version, request.user, comment)
                done = gettext("Version %(number)s was sent back to the editors.")
            elif move == "_publish":
                publishing.publish(version, request.user)
                version.refresh_from_db()
                if version.is_scheduled:
                    done = gettext("Version %(number)s will be published on %(when)s.")
                else:
                    done = gettext("Version %(number)s is published.")
            else:
                publishing.unpublish(obj, request.user, language)
                done = (
                    gettext("Unpublished: the public no longer sees this page.")
                    if language == SOURCE
                    else gettext("Unpublished. Thai readers see the English text again.")
                )
        except publishing.WorkflowError as error:
            messages.error(request, in_language(language, str(error)))
            return
        when = ""
        if version is not None and version.live_from:
            when = timezone.localtime(version.live_from).strftime("%d %B %Y, %H:%M")
        message = in_language(
            language, done % {"number": getattr(version, "number", ""), "when": when}
        )
        self.log_change(request, obj, message)
        messages.success(request, message)

    @staticmethod
    def _check_shown(move, version, shown):
        """Refuse a move on a working copy newer than the one the page showed: a clinician
        approves what they read, an editor submits or publishes what they saw."""
        if shown is None or move == "_unpublish" or shown == version.number:
            return
        numbers = {"now": version.number, "shown": shown}
        if move in ("_approve", "_request_changes"):
            raise publishing.WorkflowError(
                gettext(
                    "Version %(now)s is the working copy now, not version %(shown)s that you "
                    "read. Read it before you approve it or send it back."
                )
                % numbers
            )
        raise publishing.WorkflowError(
            gettext(
                "Version %(now)s is the working copy now, not version %(shown)s that you saw. "
                "Look at it before you submit or publish it."
            )
            % numbers
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(self._workflow_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _workflow_context(self, request, obj):
        user = request.user
        english = self._language_panel(obj, SOURCE)
        return {
            "languages": [english, self._language_panel(obj, TRANSLATION, english)],
            "can_submit": self.has_change_permission(request, obj),
            "can_review": user.has_perm("articles.approve_version")
            and getattr(user, "clinician", None) is not None,
            "reviewer_without_clinician": user.has_perm("articles.approve_version")
            and getattr(user, "clinician", None) is None,
            "can_publish": user.has_perm("articles.publish_version"),
            "preview_days": PREVIEW_LIFETIME.days,
        }

    def _language_panel(self, obj, language, english=None):
        """The record's working copy, live and scheduled versions in `language`; for the
        translation, whether it is missing, out of date with `english` (the English
        panel) and what it leaves untranslated."""
        versions = Version.objects.of_record(obj, language).select_related(
            "approved_by", "reviewed_by", "source"
        )
        latest = versions.order_by("-number").first()
        live = versions.live().first()
        panel = {
            "language": language,
            "is_translation": language != SOURCE,
            "suffix": "" if language == SOURCE else f"_{language}",  # of its form's names
            "working_version": latest,
            "live_version": live,
            "scheduled_version": versions.filter(live_from__gt=timezone.now()).first(),
        }
        # Each language's links go to that language's pages: a Thai preview reads in Thai.
        with translation.override(language):
            panel["preview_url"] = latest and reverse(
                "articles:preview", kwargs={"token": preview_token(latest)}
            )
            panel["public_url"] = live and live.get_absolute_url()
        if language != SOURCE and latest is not None:
            english_id = getattr(english["working_version"], "pk", None)
            stale = stale_translations([(self.model, english_id, latest.source_id)])
            panel["out_of_date"] = english_id in stale
            panel["untranslated"] = (
                untranslated_texts(self.model, latest.source.data, latest.data)
                if latest.source
                else []
            )
        return panel

    # History: the versions, compared and restored.

    def get_urls(self):
        app, model = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name=f"{app}_{model}_compare",
            ),
            path(
                "<path:object_id>/history/<int:number>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{app}_{model}_restore",
            ),
            path(  # a translation's version: its number is its language's own
                "<path:object_id>/history/<str:language>/<int:number>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name=f"{app}_{model}_restore",
            ),
            *super().get_urls(),
        ]

    def _record(self, request, object_id, change=False):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("This record does not exist."))
        allowed = (
            self.has_change_permission(request, obj)
            if change
            else self.has_view_or_change_permission(request, obj)
        )
        if not allowed:
            raise PermissionDenied
        return obj

    def history_view(self, request, object_id, extra_context=None):
        """The versions of each language, newest first: English, then the translation's
        (each with the English version it was made from)."""
        obj = self._record(request, object_id)
        versions = (
            Version.objects.of_record(obj)
            .select_related("approved_by")
            .annotate(source_number=F("source__number"))
            .order_by("-number")
        )
        histories = []
        for language in LANGUAGE_NAMES:
            of_language = [version for version in versions if version.language == language]
            for version in of_language:
                version.restore_url = self._restore_url(obj, version)
            if of_language:
                histories.append(
                    {
                        "language": language,
                        "is_translation": language != SOURCE,
                        "versions": of_language,
                    }
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("History of “%(record)s”") % {"record": obj},
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "histories": histories,
            "can_restore": self.has_change_permission(request, obj),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def _restore_url(self, obj, version):
        language = [] if version.language == SOURCE else [version.language]
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_restore",
            args=[quote(obj.pk), *language, version.number],
            current_app=self.admin_site.name,
        )

    @staticmethod
    def _language(code):
        """A language named in an address; one the site does not have is not found."""
        if code not in LANGUAGE_NAMES:
            raise Http404(gettext("There is no such language."))
        return code

    def compare_view(self, request, object_id):
        """Two versions of one language side by side (an English and a Thai version hold
        different words for the same text: never compared)."""
        obj = self._record(request, object_id)
        language = self._language(request.GET.get("language", SOURCE))
        versions = Version.objects.of_record(obj, language)
        numbers = []
        for name in ("a", "b"):
            try:
                numbers.append(int(request.GET.get(name, "")))
            except ValueError:
                messages.error(request, gettext("Choose two versions to compare."))
                return HttpResponseRedirect("../")
        older, newer = (get_object_or_404(versions, number=number) for number in sorted(numbers))
        title = gettext("Version %(a)s and version %(b)s of “%(record)s”") % {
            "a": older.number,
            "b": newer.number,
            "record": obj,
        }
        context = {
            **self.admin_site.each_context(request),
            "title": in_language(language, title),
            "object": obj,
            "opts": self.opts,
            "older": older,
            "newer": newer,
            "comparison": compare(self.model, older.data, newer.data),
        }
        return TemplateResponse(request, "admin/articles/version_compare.html", context)

    def restore_view(self, request, object_id, number, language=SOURCE):
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_history",
                    args=[object_id],
                    current_app=self.admin_site.name,
                )
            )
        obj = self._record(request, object_id, change=True)
        language = self._language(language)
        version = get_object_or_404(Version.objects.of_record(obj, language), number=number)
        try:
            restored = publishing.restore(obj, version, request.user)
        except publishing.WorkflowError as error:
            messages.error(request, in_language(language, str(error)))
        else:
            message = gettext(
                "Version %(old)s is the working copy again, as version %(new)s. It needs "
                "review before it can be published."
            ) % {"old": version.number, "new": restored.number}
            message = in_language(language, message)
            self.log_change(request, obj, message)
            messages.success(request, message)
        return HttpResponseRedirect(
            reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[quote(obj.pk)],
                current_app=self.admin_site.name,
            )
        )
