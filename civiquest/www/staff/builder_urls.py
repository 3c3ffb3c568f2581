from django.urls import URLPattern, path

from civiquest.www.staff import builder_step_views as step_views
from civiquest.www.staff import builder_views as views
from civiquest.www.staff import services_audit_views

PROCEDURE = "demarches/<int:procedure_id>/"
STEP = PROCEDURE + "etapes/<int:step_id>/"
FIELD = STEP + "champs/<int:field_id>/"

urlpatterns: list[URLPattern] = [
    path("demarches/", views.procedures, name="builder-procedures"),
    path("demarches/nouvelle/", views.procedure_create, name="builder-procedure-create"),
    path(PROCEDURE, views.procedure_detail, name="builder-procedure"),
    path(PROCEDURE + "description/", views.procedure_edit, name="builder-procedure-edit"),
    path(PROCEDURE + "brouillon/", views.draft_create, name="builder-draft"),
    path(PROCEDURE + "recompenses/", views.rewards, name="builder-rewards"),
    path(PROCEDURE + "services-lies/", views.needs, name="builder-needs"),
    path(PROCEDURE + "publier/", views.publish, name="builder-publish"),
    path(PROCEDURE + "fermer/", views.close, name="builder-close"),
    path(PROCEDURE + "apercu/", views.preview, name="builder-preview"),
    path(PROCEDURE + "statistiques/", views.overview, name="builder-overview"),
    path(PROCEDURE + "etapes/nouvelle/", step_views.step_create, name="builder-step-create"),
    path(STEP, step_views.step_edit, name="builder-step"),
    path(STEP + "deplacer/", step_views.step_move, name="builder-step-move"),
    path(STEP + "supprimer/", step_views.step_delete, name="builder-step-delete"),
    path(STEP + "champs/nouveau/", step_views.field_create, name="builder-field-create"),
    path(FIELD, step_views.field_edit, name="builder-field"),
    path(FIELD + "deplacer/", step_views.field_move, name="builder-field-move"),
    path(FIELD + "supprimer/", step_views.field_delete, name="builder-field-delete"),
    path("services/", services_audit_views.services, name="services"),
    path("services/<int:service_id>/", services_audit_views.service_edit, name="service-edit"),
    path("journal/", services_audit_views.audit_log, name="audit-log"),
    path("journal/export.csv", services_audit_views.audit_export, name="audit-export"),
]
