from django.contrib.auth import views as auth_views
from django.urls import path

from gongxin.accounts import views, views_security

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("export/", views.export_organizations, name="export_organizations"),
    path("security/", views_security.account_security, name="security"),
    path("security/otp/setup/", views_security.otp_setup, name="otp_setup"),
    path("security/otp/confirm/", views_security.otp_confirm, name="otp_confirm"),
    path("security/otp/remove/", views_security.otp_remove, name="otp_remove"),
    path("otp/verify/", views_security.otp_verify, name="otp_verify"),
    path("security/users/", views_security.security_users, name="security_users"),
    path("security/users/<int:user_id>/", views_security.security_user, name="security_user"),
    path("security/users/<int:user_id>/otp-reset/", views_security.security_user_otp_reset,
         name="security_user_otp_reset"),
    path("security/users/<int:user_id>/require-password-change/",
         views_security.security_user_require_password_change, name="security_user_require_password_change"),
    path("security/audit/", views_security.audit_checkpoints, name="audit_checkpoints"),
    path("", views.home, name="home"),
]
