"""Background tasks for accounts (django.tasks on the django-tasks-db queue)."""

from django.contrib.auth.forms import PasswordResetForm

from maturity.mail import email_task


@email_task
def send_password_reset(*, email: str, domain: str, use_https: bool) -> None:
    """Email a reset link to the account with this address; for an unknown address, nothing.

    Nothing rather than a "you have no account" email: the form can be filled in with anyone's
    address, and the service should not send mail to people who never used it.
    """
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name="accounts/email/password_reset_subject.txt",
            email_template_name="accounts/email/password_reset.txt",
        )
