from django.urls import URLPattern, path

from civiquest.www.staff import builder_views as views

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
    path(PROCEDURE + "etapes/nouvelle/", views.step_create, name="builder-step-create"),
    path(STEP, views.step_edit, name="builder-step"),
    path(STEP + "deplacer/", views.step_move, name="builder-step-move"),
    path(STEP + "supprimer/", views.step_delete, name="builder-step-delete"),
    path(STEP + "champs/nouveau/", views.field_create, name="builder-field-create"),
    path(FIELD, views.field_edit, name="builder-field"),
    path(FIELD + "deplacer/", views.field_move, name="builder-field-move"),
    path(FIELD + "supprimer/", views.field_delete, name="builder-field-delete"),
    path("services/", views.services, name="services"),
    path("services/<int:service_id>/", views.service_edit, name="service-edit"),
    path("journal/", views.audit_log, name="audit-log"),
    path("journal/export.csv", views.audit_export, name="audit-export"),
]
