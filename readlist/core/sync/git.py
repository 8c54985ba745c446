"""Running the git command line: argument lists only, never a shell, never a prompt.

git is the engine because every researcher has it and it brings their ssh config, credentials
and remotes (pygit2 does not run external merge drivers). What readlist needs from it is
predictability, so every call:
- runs `git -C <library folder>` with an argument list, stdin closed, English messages (they are
  classified), no pager, no colour;
- cannot prompt: GIT_TERMINAL_PROMPT=0, and ssh in batch mode unless the user chose their own ssh
  command (GIT_SSH_COMMAND, GIT_SSH or core.sshCommand), so a sync fails instead of hanging;
- overrides the user settings that would change what a command does (`CONFIG_OVERRIDES`): a
  merge that must fast-forward, signing that would ask for a passphrase, an autostash that would
  touch other files, signature checks on other machines' commits.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Exit statuses of `readlist sync` (2 is readlist's usual one for a bad request or setup).
EXIT_OK = 0
EXIT_SETUP = 2
EXIT_UNREACHABLE = 3
EXIT_MERGE_FAILED = 4
EXIT_PUSH_REJECTED = 5
EXIT_NO_GIT = 6
EXIT_GIT_FAILED = 7

#: `git merge --no-verify` (skipping the pre-merge-commit hook) arrived in git 2.24; every other
#: command and flag readlist uses is older.
MIN_GIT = (2, 24)

DRIVER_NAME = "readlist"
DRIVER_MODULE = "readlist.core.sync.driver"

#: How long a local git command may take, and one that talks to the remote.
LOCAL_TIMEOUT = 600.0
NETWORK_TIMEOUT = 900.0

#: Settings that would change what readlist's commands do, set for every call with `-c`.
CONFIG_OVERRIDES: tuple[tuple[str, str], ...] = (
    ("color.ui", "false"),
    ("core.pager", "cat"),
    ("core.quotePath", "false"),
    ("core.fsmonitor", "false"),
    ("commit.gpgSign", "false"),  # a background sync cannot answer a passphrase prompt
    ("push.gpgSign", "false"),
    ("merge.autoStash", "false"),  # never stash, and so never touch, the user's other files
    ("merge.verifySignatures", "false"),  # other machines' commits are not signed
    ("rerere.enabled", "false"),
    ("log.showSignature", "false"),
    ("advice.detachedHead", "false"),
)

#: Variables that point git at another repository or index: inherited from a git hook or a
#: shell, they would make readlist's commands act somewhere else.
_REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
    "GIT_CONFIG_PARAMETERS",
    "GIT_QUARANTINE_PATH",
    "GIT_REFLOG_ACTION",
)


class SyncError(Exception):
    """A sync that could not be done, said in one line, with the exit status that names why."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class GitResult:
    """What one git command did."""

    status: int
    data: bytes  # stdout as git wrote it (a blob is bytes)
    err: str

    @property
    def out(self) -> str:
        return self.data.decode("utf-8", "replace")

    def reason(self) -> str:
        """git's own last words (its last error line), for a one-line message."""
        lines = [line.strip() for line in (self.err or self.out).splitlines() if line.strip()]
        for line in reversed(lines):
            if line.startswith(("fatal:", "error:")):
                return line.split(":", 1)[1].strip()
        return lines[-1] if lines else f"exit status {self.status}"


def driver_command() -> str:
    """The merge driver command git runs: this very Python by absolute path (git may run it from
    a shell whose PATH has no readlist), quoted for that shell, then git's placeholders."""
    python = sys.executable or "python3"
    return f"{_shell_quote(python)} -m {DRIVER_MODULE} %O %A %B %P"


def _shell_quote(text: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./+-]+", text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"


def find_git() -> str:
    """The git executable, checked to be new enough; SyncError(EXIT_NO_GIT) if not."""
    executable = shutil.which("git")
    if executable is None:
        raise SyncError(
            "git is not installed: readlist sync runs the git command line "
            f"(install git {MIN_GIT[0]}.{MIN_GIT[1]} or newer)",
            EXIT_NO_GIT,
        )
    try:
        done = subprocess.run(
            [executable, "--version"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SyncError(f"{executable} does not run ({exc})", EXIT_NO_GIT) from None
    version = parse_version(done.stdout)
    if version is None:
        raise SyncError(f"{executable} --version said {done.stdout.strip()!r}", EXIT_NO_GIT)
    if version < MIN_GIT:
        raise SyncError(
            f"git {'.'.join(map(str, version))} is too old: readlist sync needs git "
            f"{MIN_GIT[0]}.{MIN_GIT[1]} or newer (for merge --no-verify)",
            EXIT_NO_GIT,
        )
    return executable


def parse_version(text: str) -> tuple[int, int] | None:
    """(major, minor) from `git --version` ("git version 2.39.5", "... (Apple Git-143)")."""
    found = re.search(r"git version (\d+)\.(\d+)", text)
    return (int(found.group(1)), int(found.group(2))) if found else None


class Git:
    """git commands in one folder (the library's), with readlist's environment and overrides."""

    def __init__(self, folder: Path, executable: str) -> None:
        self.folder = folder
        self.executable = executable
        self._env: dict[str, str] | None = None

    def run(
        self,
        *args: str,
        check: bool = True,
        network: bool = False,
        extra_config: Sequence[tuple[str, str]] = (),
        extra_env: Mapping[str, str] | None = None,
    ) -> GitResult:
        """Run `git ARGS` in the folder; with `check`, a failure is SyncError(EXIT_GIT_FAILED)."""
        command = [self.executable, "-C", str(self.folder)]
        for key, value in (*CONFIG_OVERRIDES, *self._driver_config(), *extra_config):
            command += ["-c", f"{key}={value}"]
        command += args
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                env=self.env() if extra_env is None else {**self.env(), **extra_env},
                timeout=NETWORK_TIMEOUT if network else LOCAL_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            what = "the remote did not answer" if network else "git took too long"
            raise SyncError(
                f"git {args[0]}: {what}", EXIT_UNREACHABLE if network else EXIT_GIT_FAILED
            ) from None
        except OSError as exc:
            raise SyncError(f"cannot run git ({exc.strerror})", EXIT_NO_GIT) from None
        result = GitResult(done.returncode, done.stdout, done.stderr.decode("utf-8", "replace"))
        if check and result.status != 0:
            raise SyncError(f"git {args[0]} failed: {result.reason()}", EXIT_GIT_FAILED)
        return result

    def value(self, *args: str) -> str:
        """The first line of a command's output ("" if it failed or printed nothing)."""
        result = self.run(*args, check=False)
        lines = result.out.strip().splitlines() if result.status == 0 else []
        return lines[0] if lines else ""

    def config(self, key: str) -> str:
        """A setting as git sees it in this folder ("" if unset)."""
        return self.value("config", "--get", key)

    def env(self) -> dict[str, str]:
        """The environment for git: the user's, without repository pointers, with no prompts."""
        if self._env is None:
            env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
            env.update(
                GIT_TERMINAL_PROMPT="0",
                GCM_INTERACTIVE="never",
                GIT_PAGER="cat",
                LC_ALL="C",
                LANGUAGE="C",
            )
            self._env = env
            if not (env.get("GIT_SSH_COMMAND") or env.get("GIT_SSH") or self._user_ssh()):
                env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        return self._env

    def _user_ssh(self) -> bool:
        """Has the user set their own ssh command in git's config? Then it stays theirs."""
        return bool(self.config("core.sshCommand"))

    def _driver_config(self) -> tuple[tuple[str, str], ...]:
        """readlist's own merges always use this readlist's driver, whatever .git/config says."""
        return (
            (f"merge.{DRIVER_NAME}.name", "readlist: paper by paper, field by field"),
            (f"merge.{DRIVER_NAME}.driver", driver_command()),
        )


def check_identity(git: Git) -> None:
    """git needs a name and an email for commits; say how to set them if it has none."""
    env = git.env()
    name = env.get("GIT_AUTHOR_NAME") or env.get("GIT_COMMITTER_NAME") or git.config("user.name")
    email = (
        env.get("GIT_AUTHOR_EMAIL")
        or env.get("GIT_COMMITTER_EMAIL")
        or env.get("EMAIL")
        or git.config("user.email")
    )
    if not (name and email):
        raise SyncError(
            "git does not know who you are (its commits need a name and an email): run "
            'git config --global user.name "Your Name" && '
            "git config --global user.email you@example.com",
            EXIT_SETUP,
        )
