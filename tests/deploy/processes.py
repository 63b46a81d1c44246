"""Running the production processes in tests as the image runs them: as a user that cannot write the code."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def as_app_user() -> list[str]:
    """A command prefix that runs as `nobody` when the tests run as root (the image runs as its own user).

    Where the interpreter lives under a root-only home (pyenv in /root), that user may still *read* everything
    (CAP_DAC_READ_SEARCH); what it may write stays as limited as nobody's, which is what matters here."""
    if os.getuid() != 0:
        return []
    drop = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    probe = subprocess.run([*drop, sys.executable, "-c", "import django"], capture_output=True, cwd="/")
    if probe.returncode == 0:
        return [*drop, "--"]
    return [*drop, "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--"]


def app_dir(*writable: str) -> Path:
    """A fresh folder others may enter, with `writable` subfolders owned by the app user (as the image's var/)."""
    state = Path(tempfile.mkdtemp(prefix="iep-prod-"))
    state.chmod(0o755)
    for name in writable:
        (state / name).mkdir()
        if os.getuid() == 0:
            subprocess.run(["chown", "nobody:nogroup", str(state / name)], check=True)
    return state
