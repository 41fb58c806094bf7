"""Make a launcher run under the project's virtualenv interpreter."""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def venv_python():
    """The virtualenv interpreter: $VENV, else the checkout's .venv."""
    for venv in (os.environ.get("VENV"), os.path.join(REPO, ".venv")):
        if venv and os.access(os.path.join(venv, "bin", "python"), os.X_OK):
            return os.path.join(venv, "bin", "python")
    return None


def ensure_modules(*modules):
    """Re-exec the current script with the venv python if a module is missing."""
    try:
        for module in modules:
            __import__(module)
    except ImportError as exc:
        python = venv_python()
        if not python or os.environ.get("SUPPORT_SETUP_REEXEC"):
            sys.exit(
                f"error: {exc.name} is not importable; run this with the project's "
                "virtualenv (VENV=/path/to/venv or .venv/bin/python setup/...)"
            )
        os.environ["SUPPORT_SETUP_REEXEC"] = "1"
        os.execv(python, [python, *sys.argv])
