"""Name the ``mailguard`` command as the operator's shell can run it.

``make run`` installs MailGuard into ``.venv`` without activating it, so a plain
``mailguard`` is "command not found" in the shell that started the demo; the lines the demo
prints for reviewing its log must name the command the way that shell finds it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def mailguard_command() -> str:
    """Return ``mailguard`` if the shell's PATH finds this one, else a path that runs it."""
    script = Path(sys.executable).parent / "mailguard"
    if not script.is_file():
        return f"{shlex.quote(sys.executable)} -m mailguard"
    found = shutil.which("mailguard")
    if found is not None and Path(found).resolve() == script.resolve():
        return "mailguard"
    relative = os.path.relpath(script)
    if relative.startswith(".."):
        return shlex.quote(str(script))
    return shlex.quote(relative if os.sep in relative else f".{os.sep}{relative}")
