"""The clinic's team: the clinicians shown publicly, and one profile each."""

from django.views.generic import DetailView, ListView

from articles.models import Version
from team import seo
from team.models import Clinician


class ClinicianListView(ListView):
    template_name = "team/clinician_list.html"
    context_object_name = "clinicians"
    queryset = Clinician.objects.shown_publicly()


class ClinicianDetailView(DetailView):
    """A hidden or unknown clinician is a 404, as if the page did not exist."""

    template_name = "team/clinician_detail.html"
    context_object_name = "clinician"
    queryset = Clinician.objects.shown_publicly()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            reviewed=Version.objects.articles_for_list().filter(approved_by=self.object),
            json_ld=seo.clinician_json_ld(self.request, self.object),
            **kwargs,
        )
