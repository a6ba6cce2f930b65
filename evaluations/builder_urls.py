from django.urls import path

from evaluations import builder_views as views
from evaluations import views as answer_views

app_name = "questionnaires"
urlpatterns = [
    path("", views.questionnaire_list, name="list"),
    path("new/", views.questionnaire_create, name="create"),
    path("<int:pk>/", views.questionnaire_detail, name="detail"),
    path("<int:pk>/settings/", views.questionnaire_settings, name="settings"),
    path("<int:pk>/preview/", answer_views.questionnaire_preview, name="preview"),
    path("<int:pk>/questions/add/", views.item_edit, name="item_add"),
    path("<int:pk>/questions/<int:item_id>/", views.item_edit, name="item_edit"),
    path("<int:pk>/questions/<int:item_id>/remove/", views.item_delete, name="item_delete"),
    path("<int:pk>/questions/<int:item_id>/move/", views.item_move, name="item_move"),
    path("<int:pk>/put-in-use/", views.put_in_use, name="put_in_use"),
    path("<int:pk>/new-version/", views.new_version, name="new_version"),
]
