import ipaddress

import pytest

from headway.env import ConfigError, envbool, envdir, envint, envlist, envnetworks, envstr


def test_it_reads_booleans(monkeypatch):
    monkeypatch.setenv("HW_FLAG", "yes")
    assert envbool("HW_FLAG", False) is True
    monkeypatch.setenv("HW_FLAG", "0")
    assert envbool("HW_FLAG", True) is False
    monkeypatch.delenv("HW_FLAG")
    assert envbool("HW_FLAG", True) is True


def test_it_rejects_a_bad_boolean_naming_the_variable(monkeypatch):
    monkeypatch.setenv("HW_FLAG", "maybe")
    with pytest.raises(ConfigError, match="HW_FLAG='maybe'"):
        envbool("HW_FLAG", False)


def test_it_rejects_a_bad_integer_naming_the_variable(monkeypatch):
    monkeypatch.setenv("HW_N", "ten")
    with pytest.raises(ConfigError, match="HW_N='ten': expected a whole number"):
        envint("HW_N", 1)
    monkeypatch.setenv("HW_N", "10")
    assert envint("HW_N", 1) == 10
    with pytest.raises(ConfigError, match="HW_N='10': expected at least 20"):
        envint("HW_N", 30, minimum=20)


def test_it_reads_secrets_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("HW_KEY", "from-env")
    monkeypatch.setenv("HW_KEY_FILE", str(secret))
    assert envstr("HW_KEY") == "s3cret"


def test_it_fails_loudly_when_the_secret_file_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("HW_KEY_FILE", str(tmp_path / "absent"))
    with pytest.raises(ConfigError, match=r"HW_KEY_FILE=.*cannot read"):
        envstr("HW_KEY")


def test_it_splits_lists(monkeypatch):
    monkeypatch.setenv("HW_HOSTS", "a.test, b.test,,")
    assert envlist("HW_HOSTS", []) == ["a.test", "b.test"]
    monkeypatch.setenv("HW_HOSTS", " ")
    assert envlist("HW_HOSTS", ["x"]) == ["x"]


def test_it_reads_networks_and_refuses_a_bad_one_naming_the_variable(monkeypatch):
    assert envnetworks("HW_NETS") == []
    monkeypatch.setenv("HW_NETS", "10.20.0.0/16, 127.0.0.1, fd00::/8")
    assert envnetworks("HW_NETS") == [
        ipaddress.ip_network("10.20.0.0/16"),
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("fd00::/8"),
    ]
    monkeypatch.setenv("HW_NETS", "10.20.1.5/16")  # host bits set: /16 or /32 meant?
    with pytest.raises(ConfigError, match=r"HW_NETS='10.20.1.5/16': 10.20.1.5/16 has host bits"):
        envnetworks("HW_NETS")
    monkeypatch.setenv("HW_NETS", "warehouse")
    with pytest.raises(ConfigError, match=r"HW_NETS='warehouse'.*expected CIDR networks"):
        envnetworks("HW_NETS")


def test_it_reads_an_existing_directory(monkeypatch, tmp_path):
    assert envdir("HW_DIR") is None
    monkeypatch.setenv("HW_DIR", f"{tmp_path}/a/..")
    assert envdir("HW_DIR") == tmp_path.resolve()
    monkeypatch.setenv("HW_DIR", str(tmp_path / "absent"))
    with pytest.raises(ConfigError, match=r"HW_DIR=.*: not an existing directory"):
        envdir("HW_DIR")
