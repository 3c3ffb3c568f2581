"""The agent's export pages: the file at once, a job for many quests (Celery), who may download it."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from civiquest.accounts.models import AuditEvent, ServiceMembership, ServiceRole
from civiquest.documents.storage import private_storage
from civiquest.instruction.models import ExportJob, ExportJobStatus, Label, QuestLabel
from civiquest.instruction.tasks import export_job_build
from civiquest.quests.models import Answer
from civiquest.www.agent.forms import ExportForm
from tests.catalogue.factories import ServiceFactory, member_of, published
from tests.instruction.helpers import submitted_quest
from tests.instruction.test_exports import read_back
from tests.instruction.test_inbox import many_quests


@pytest.fixture
def agent_client(client, instructor, login_verified):
    login_verified(client, instructor)
    return client


def post_export(client, **data):
    return client.post(reverse("agent:export"), {"format": "csv", "columns": ["reference"], **data})


def test_the_form_takes_the_inbox_filters_and_the_file_has_the_answers(agent_client, passport, mairie):
    quest = submitted_quest(passport)
    other = submitted_quest(passport)
    label = Label.objects.create(service=mairie, name="Urgent")
    QuestLabel.objects.create(quest=quest, label=label)
    inbox = agent_client.get(reverse("agent:home"), {"demarche": passport.pk, "etiquette": label.pk}).content.decode()
    export_url = f"{reverse('agent:export')}?demarche={passport.pk}&amp;etiquette={label.pk}"
    assert export_url in inbox  # "Exporter ces dossiers" keeps the inbox's filters
    page = agent_client.get(reverse("agent:export"), {"demarche": passport.pk, "etiquette": label.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{passport.pk}" selected>{passport.title}</option>' in html
    assert f'<option value="{label.pk}" selected>Urgent</option>' in html
    response = post_export(
        agent_client, demarche=passport.pk, etiquette=label.pk, format="xlsx", columns=["reference", "state"]
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="dossiers-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["Numéro de dossier", "État", "Nom", "Date de naissance"]
    assert rows[1][:4] == [quest.reference, "Déposé", "Martin", "17 mai 1990"]
    assert other.reference not in {row[0] for row in rows}
    event = AuditEvent.objects.get(action="instruction.export")
    assert event.details["count"] == 1 and event.details["format"] == "xlsx"
    assert event.details["filters"] == {"demarche": str(passport.pk), "etiquette": str(label.pk)}


def test_bad_input_gives_a_clear_error(agent_client, passport):
    foreign, _revision = published([{"slug": "a", "title": "A", "kind": "info"}], service=ServiceFactory())
    cases = [
        ({"format": "pdf"}, "Choisissez un format : CSV, XLSX ou ODS."),
        ({"demarche": foreign.pk}, "Choisissez une démarche de vos services."),
        ({"demarche": "abc"}, "Choisissez une démarche de vos services."),
        ({"etat": "nope"}, "Choisissez un état de la liste."),
        ({"etiquette": "999999"}, "Choisissez une étiquette de vos services."),
    ]
    for data, message in cases:
        response = post_export(agent_client, **data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    with translation.override("en"):
        form = ExportForm({"format": "pdf", "columns": ["reference"]})
        assert not form.is_valid()
        assert form.errors["format"] == ["Choose a format: CSV, XLSX or ODS."]


def test_many_quests_are_exported_by_a_celery_task_with_a_download_link(
    agent_client, client, passport, instructor, settings, django_capture_on_commit_callbacks, login_verified
):
    settings.INSTRUCTION_EXPORT_STREAM_MAX = 2
    quests = many_quests(passport, 3)
    Answer.objects.bulk_create(
        Answer(quest=quest, field_name="nom", value=f"Nom {index}") for index, quest in enumerate(quests)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post_export(agent_client, demarche=passport.pk, etat="all", format="ods")
    assert response.status_code == 302 and response["Location"] == reverse("agent:export-jobs")
    job = ExportJob.objects.get()
    assert job.status == ExportJobStatus.READY and job.rows == 3 and job.agent == instructor
    listing = agent_client.get(reverse("agent:export-jobs")).content.decode()
    download_url = reverse("agent:export-job-download", args=[job.public_id])
    assert download_url in listing
    download = agent_client.get(download_url)
    assert download.status_code == 200
    rows = read_back("ods", b"".join(download.streaming_content))
    assert [row[:2] for row in rows] == [["Numéro de dossier", "Nom"]] + [
        [quest.reference, f"Nom {index}"] for index, quest in enumerate(quests)
    ]

    # Another agent, of another service or of the same one, never reaches it.
    for outsider in (member_of(ServiceFactory(), ServiceRole.MANAGER), member_of(passport.instructing_service)):
        client.logout()
        login_verified(client, outsider)
        assert client.get(download_url).status_code == 404
        assert str(job.public_id) not in client.get(reverse("agent:export-jobs")).content.decode()
    # Its owner, no longer a member of the service, neither.
    client.logout()
    login_verified(client, instructor)
    ServiceMembership.objects.filter(user=instructor).delete()
    assert client.get(download_url).status_code == 404


def test_expired_exports_are_gone_and_purged(
    agent_client, passport, instructor, settings, django_capture_on_commit_callbacks
):
    settings.INSTRUCTION_EXPORT_STREAM_MAX = 0
    submitted_quest(passport)
    with django_capture_on_commit_callbacks(execute=True):
        post_export(agent_client, format="csv")
    job = ExportJob.objects.get()
    assert job.status == ExportJobStatus.READY
    content = private_storage().open(job.file.name).read()
    assert len(list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))) == 2
    ExportJob.objects.filter(pk=job.pk).update(expires_at=job.created_at - dt.timedelta(seconds=1))
    assert agent_client.get(reverse("agent:export-job-download", args=[job.public_id])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        call_command("export_jobs_purge", stdout=io.StringIO())
    assert not ExportJob.objects.exists()
    assert not private_storage().exists(job.file.name)


def test_a_job_that_fails_is_marked_failed_and_says_so(agent_client, passport, instructor):
    submitted_quest(passport)
    # A format no writer knows (a row from an older version, say): the build fails, the job says so.
    job = ExportJob.objects.create(agent=instructor, format="pdf", expires_at=timezone.now() + dt.timedelta(hours=1))
    assert export_job_build(job.pk) is False
    job.refresh_from_db()
    assert job.status == ExportJobStatus.FAILED and not job.file
    assert "L’export a échoué" in agent_client.get(reverse("agent:export-jobs")).content.decode()
    assert agent_client.get(reverse("agent:export-job-download", args=[job.public_id])).status_code == 404
    assert export_job_build(job.pk) is False  # a redelivered message changes nothing
