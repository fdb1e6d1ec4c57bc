"""Settings that matter for a deployment: the secret key file."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from labs import settings as project_settings


@pytest.fixture
def open_umask() -> Any:
    # The most permissive umask: a file's mode is then exactly what its creator asked.
    old = os.umask(0)
    yield
    os.umask(old)


def test_the_secret_key_file_is_private_from_its_creation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    path = tmp_path / ".secret_key"
    modes_at_creation: list[int] = []
    real_open = os.open

    def spying_open(file: Any, flags: int, mode: int = 0o777, **kw: Any) -> int:
        fd = real_open(file, flags, mode, **kw)
        if Path(file) == path:
            modes_at_creation.append(stat.S_IMODE(os.fstat(fd).st_mode))
        return fd

    monkeypatch.setattr(os, "open", spying_open)
    key = project_settings.secret_key(path)
    assert len(key) >= 50
    # The file was never readable by anyone else, not even before it held the key.
    assert modes_at_creation == [0o600]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == key
    # Made once: the next start reads the same key and leaves the file alone.
    assert project_settings.secret_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_key_is_kept_and_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    path = tmp_path / ".secret_key"
    path.write_text("kept-key\n")
    assert project_settings.secret_key(path) == "kept-key"
    assert path.read_text() == "kept-key\n"
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert project_settings.secret_key(tmp_path / "other") == "from-the-environment"
    assert not (tmp_path / "other").exists()


def test_a_key_file_that_is_a_symlink_is_not_followed_when_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    target = tmp_path / "elsewhere"
    link = tmp_path / ".secret_key"
    link.symlink_to(target)
    # A dangling link is refused rather than followed to create a file elsewhere.
    with pytest.raises(OSError):
        project_settings.secret_key(link)
    assert not target.exists()


def test_lms_origins_may_frame_the_site_over_https() -> None:
    import os
    import subprocess
    import sys

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='labs.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.PAPERLABS_CSP['frame-ancestors'], s.SESSION_COOKIE_SAMESITE,"
        " any(m.endswith('XFrameOptionsMiddleware') for m in s.MIDDLEWARE))"
    )
    env = {
        **os.environ,
        "PAPERLABS_LMS_ORIGINS": "https://canvas.example.edu https://moodle.example.org",
        "PAPERLABS_HTTPS": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "'self'" in out and "https://canvas.example.edu" in out
    assert "https://moodle.example.org" in out and "None False" in out
    plain = subprocess.run(
        [sys.executable, "-c", code],
        env={k: v for k, v in os.environ.items() if k != "PAPERLABS_LMS_ORIGINS"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "[\"'none'\"]" in plain and "Lax True" in plain
