"""Console URLs of the billing app (included as ``console:billing``)."""

from __future__ import annotations

from django.urls import path

from patchdesk.desk.billing import views_console, views_prices

urlpatterns = [
    path("", views_console.MonthlyBillingView.as_view(), name="monthly"),
    path("lines/<int:year>-<int:month>.csv", views_console.BillingCsvView.as_view(), name="csv"),
    path("prices/", views_prices.PriceTableListView.as_view(), name="price_tables"),
    path("prices/<int:pk>/", views_prices.PriceTableDetailView.as_view(), name="price_table"),
    path(
        "prices/<int:pk>/<str:kind>/<int:row_pk>/remove/",
        views_prices.PriceTableRowRemoveView.as_view(),
        name="price_row_remove",
    ),
    path("quotes/", views_console.QuoteListView.as_view(), name="quotes"),
    path("quotes/new/", views_console.QuoteCreateView.as_view(), name="quote_create"),
    path("quotes/<int:pk>/", views_console.QuoteDetailView.as_view(), name="quote"),
    path("quotes/<int:pk>/send/", views_console.QuoteSendView.as_view(), name="quote_send"),
]
