"""Authorization expectations for the annual report import pages (merged by test_authorization).

Importing is for registration officers and administrators; an import job belongs to its
requester alone (anyone else: 404, no existence leak)."""

from tests.authz import only, signed_in_only

IMPORTERS = {"officer_zhuhai": 200, "officer_foshan": 200, "admin": 200}


def setup(actors) -> dict:
    from gongxin.annual.models import ImportJob

    job = ImportJob.objects.create(requested_by=actors["officer_zhuhai"], file="imports/authz.xlsx",
                                   original_name="authz.xlsx", file_sha256="0" * 64, status=ImportJob.Status.DONE,
                                   total=1, done=1, unchanged_count=1)
    return {"import_job": job.pk}


EXPECTED = {
    "annual:import_index": ("/annual/imports/", only(IMPORTERS)),
    "annual:import_template": ("/annual/imports/template.xlsx", only(IMPORTERS)),
    "annual:import_job": ("/annual/imports/{import_job}/", only({"officer_zhuhai": 200})),
    # The job has no error file: even its requester gets a 404; everyone else could not see it anyway.
    "annual:import_error_file": ("/annual/imports/{import_job}/errors.xlsx", signed_in_only(404)),
}

POSTS = {
    # No file: the form comes back with its error (200) to those who may import.
    "annual:import_index": ("/annual/imports/", {}, only(IMPORTERS)),
}
