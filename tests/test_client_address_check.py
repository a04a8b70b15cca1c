"""Behind a proxy, every request comes from the proxy's address: without the header that carries
the real client address, 50 failed sign-ins from anyone would refuse everyone. `check --deploy`
must say so."""

from tests.test_settings import GOOD_SECRET, run_django

PRODUCTION = {
    "MATURITY_ENV": "production",
    "SECRET_KEY": GOOD_SECRET,
    "ALLOWED_HOSTS": "maturity.example",
    "EMAIL_HOST": "smtp.maturity.example",
}


def test_behind_a_proxy_without_the_client_address_header_fails_the_deploy_check():
    result = run_django(PRODUCTION, "check", "--deploy")
    assert result.returncode != 0
    assert "maturity.E010" in result.stderr
    assert "CLIENT_IP_HEADER" in result.stderr


def test_the_client_address_header_satisfies_the_deploy_check():
    result = run_django(
        {**PRODUCTION, "CLIENT_IP_HEADER": "HTTP_X_FORWARDED_FOR"}, "check", "--deploy"
    )
    assert "maturity.E010" not in result.stderr + result.stdout


def test_serving_directly_needs_no_client_address_header():
    result = run_django({**PRODUCTION, "BEHIND_PROXY": "false"}, "check", "--deploy")
    assert "maturity.E010" not in result.stderr + result.stdout
