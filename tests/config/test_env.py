"""config/env.py: one rule for every variable (unset or blank is the default), typed parsers,
and errors that name the variable and its value."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_float, env_int, env_list, env_path, env_str, env_url


@pytest.mark.parametrize("environ", [{}, {"CIVIQUEST_X": ""}, {"CIVIQUEST_X": "  \t"}])
def test_unset_empty_or_blank_is_the_default(environ):
    assert env_str("CIVIQUEST_X", "fallback", environ=environ) == "fallback"
    assert env_bool("CIVIQUEST_X", True, environ=environ) is True
    assert env_int("CIVIQUEST_X", 7, environ=environ) == 7
    assert env_float("CIVIQUEST_X", 0.5, environ=environ) == 0.5
    assert env_list("CIVIQUEST_X", ["a"], environ=environ) == ["a"]
    assert env_path("CIVIQUEST_X", "/srv/x", environ=environ) == Path("/srv/x")
    assert env_url("CIVIQUEST_X", environ=environ).geturl() == ""


def test_the_process_environment_is_read_when_called(monkeypatch):
    monkeypatch.setenv("CIVIQUEST_X", "42")
    assert env_int("CIVIQUEST_X", 0) == 42
    monkeypatch.setenv("CIVIQUEST_X", "43")
    assert env_int("CIVIQUEST_X", 0) == 43
    monkeypatch.delenv("CIVIQUEST_X")
    assert env_int("CIVIQUEST_X", 0) == 0


def test_a_given_mapping_is_read_instead_of_the_process_environment(monkeypatch):
    monkeypatch.setenv("CIVIQUEST_X", "from the process")
    assert env_str("CIVIQUEST_X", environ={"CIVIQUEST_X": "from the mapping"}) == "from the mapping"
    assert env_str("CIVIQUEST_X", "default", environ={}) == "default"


def test_strings_are_stripped_unless_asked_not_to():
    environ = {"SECRET": "  value with spaces \n"}
    assert env_str("SECRET", environ=environ) == "value with spaces"
    assert env_str("SECRET", strip=False, environ=environ) == "  value with spaces \n"
    assert env_str("SECRET", "default", strip=False, environ={"SECRET": "   "}) == "default"
    assert env_str("MISSING", environ={}) == ""


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " On "])
def test_booleans_true(value):
    assert env_bool("CIVIQUEST_FLAG", False, environ={"CIVIQUEST_FLAG": value}) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "off", " Off "])
def test_booleans_false(value):
    assert env_bool("CIVIQUEST_FLAG", True, environ={"CIVIQUEST_FLAG": value}) is False


@pytest.mark.parametrize("value", ["maybe", "2", "y", "enabled"])
def test_a_word_that_is_no_boolean_is_refused_with_the_variable_and_its_value(value):
    with pytest.raises(ImproperlyConfigured, match=f"CIVIQUEST_FLAG='{value}' is not a boolean"):
        env_bool("CIVIQUEST_FLAG", environ={"CIVIQUEST_FLAG": value})


def test_integers():
    assert env_int("CIVIQUEST_N", 1, environ={"CIVIQUEST_N": " 25 "}) == 25
    assert env_int("CIVIQUEST_N", 1, environ={"CIVIQUEST_N": "-3"}) == -3
    assert env_int("CIVIQUEST_N", 1, environ={"CIVIQUEST_N": "0"}) == 0


@pytest.mark.parametrize("value", ["abc", "1.5", "10M", "1e3"])
def test_a_bad_integer_is_refused_with_the_variable_and_its_value(value):
    with pytest.raises(ImproperlyConfigured) as refused:
        env_int("CIVIQUEST_X", 1, environ={"CIVIQUEST_X": value})
    assert str(refused.value) == f"CIVIQUEST_X='{value}' is not an integer"


def test_numbers():
    assert env_float("CIVIQUEST_T", 1, environ={"CIVIQUEST_T": "2.5"}) == 2.5
    assert env_float("CIVIQUEST_T", 1, environ={"CIVIQUEST_T": "3"}) == 3.0
    default = env_float("CIVIQUEST_T", 20, environ={})
    assert default == 20.0 and isinstance(default, float)


def test_a_bad_number_is_refused_with_the_variable_and_its_value():
    with pytest.raises(ImproperlyConfigured) as refused:
        env_float("ASSISTANT_TIMEOUT", 20, environ={"ASSISTANT_TIMEOUT": "20s"})
    assert str(refused.value) == "ASSISTANT_TIMEOUT='20s' is not a number"


def test_lists_are_comma_separated_stripped_without_empty_items():
    environ = {"CIVIQUEST_HOSTS": " a.example, ,b.example ,,"}
    assert env_list("CIVIQUEST_HOSTS", ["default"], environ=environ) == ["a.example", "b.example"]
    assert env_list("CIVIQUEST_HOSTS", ["default"], environ={"CIVIQUEST_HOSTS": " , ,"}) == ["default"]
    assert env_list("CIVIQUEST_HOSTS", environ={}) == []


def test_the_default_list_is_a_fresh_copy():
    default = ["a"]
    found = env_list("CIVIQUEST_HOSTS", default, environ={})
    found.append("b")
    assert default == ["a"]


def test_paths():
    assert env_path("CIVIQUEST_DIR", Path("/default"), environ={"CIVIQUEST_DIR": " /srv/civiquest "}) == Path(
        "/srv/civiquest"
    )
    assert env_path("CIVIQUEST_DIR", Path("/default"), environ={"CIVIQUEST_DIR": "var/x"}) == Path("var/x")
    assert isinstance(env_path("CIVIQUEST_DIR", "/default", environ={}), Path)


def test_urls_are_split_into_their_parts():
    url = env_url("EMAIL_URL", environ={"EMAIL_URL": " smtps://user%40x:p%3Ass@mail.example:2465 "})
    assert (url.scheme, url.hostname, url.port, url.username, url.password) == (
        "smtps",
        "mail.example",
        2465,
        "user%40x",
        "p%3Ass",
    )
    assert env_url("EMAIL_URL", "smtp://localhost", environ={}).hostname == "localhost"


def test_a_bad_url_is_refused_naming_the_variable_without_its_password():
    with pytest.raises(ImproperlyConfigured) as refused:
        env_url("EMAIL_URL", environ={"EMAIL_URL": "smtp://user:hunter2@mail.example:smtp"})
    message = str(refused.value)
    assert message.startswith("EMAIL_URL='smtp://user:***@mail.example:smtp' is not a URL")
    assert "hunter2" not in message
