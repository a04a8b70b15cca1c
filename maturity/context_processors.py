from django.conf import settings


def service(request):
    return {"service_name": settings.SERVICE_NAME, "feedback_email": settings.FEEDBACK_EMAIL}
