"""Console URLs of the customers app (included as ``console:customers``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.customers import views

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("new/", views.CustomerCreateView.as_view(), name="create"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="edit"),
    path("<int:pk>/contacts/", views.ContactAddView.as_view(), name="contact_add"),
    path(
        "<int:pk>/contacts/<int:contact_pk>/remove/",
        views.ContactRemoveView.as_view(),
        name="contact_remove",
    ),
    path("<int:pk>/users/", views.CustomerUserAddView.as_view(), name="user_add"),
]
