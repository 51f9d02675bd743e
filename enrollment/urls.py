from django.urls import path

from enrollment import views

app_name = "enrollment"

urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("erklaeren/", views.declare_start, name="declare_start"),
    path("erklaeren/<str:token>/", views.declare, name="declare"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/empfangsbestaetigung.pdf", views.receipt, name="receipt"),
    path("<int:pk>/dokumente/<int:document_id>.pdf", views.document, name="document"),
    path("<int:pk>/fristen.ics", views.calendar, name="ics"),
    path("<int:pk>/widerruf/", views.revoke, name="revoke"),
    path("<int:pk>/kuendigung/", views.cancel, name="cancel"),
    path("<int:pk>/kuendigung/wichtiger-grund/", views.cancel_extraordinary, name="cancel_extraordinary"),
    path("<int:pk>/arztwechsel/", views.doctor_change, name="doctor_change"),
]
