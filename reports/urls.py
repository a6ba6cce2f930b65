from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("uptake/", views.uptake, name="uptake"),
    path("uptake/report.xlsx", views.uptake_xlsx, name="uptake_xlsx"),
    path("uptake/<slug:slug>.csv", views.uptake_csv, name="uptake_csv"),
    path("annual/", views.annual, name="annual"),
    path("annual/section.docx", views.annual_docx_download, name="annual_docx"),
    path("quotes/", views.quotes, name="quotes"),
    path("charges/", views.charges, name="charges"),
    path("quotes/<int:pk>/", views.quote_mark, name="quote_mark"),
]
