from django.urls import URLPattern, path

from civiquest.www.staff import recommendation_views as views

urlpatterns: list[URLPattern] = [
    path("recommandations/", views.rules, name="recommendation-rules"),
    path("recommandations/<slug:code>/", views.rule, name="recommendation-rule"),
]
