"""Reproduce the Docker image without a Docker engine, then run it and probe it.

Everything comes from the Dockerfile, so the two cannot drift apart: each stage gets a
folder standing in for its file system, COPY and WORKDIR are followed, and the RUN steps
that build and install Python packages (pip, python -m venv, mkdir, rm) run with the
stage's absolute paths mapped into that folder. Steps that need a real image (users,
ownership) are listed and skipped. The runtime stage's ENV, WORKDIR, VOLUME, CMD and
HEALTHCHECK are then used as they are, with only the database URL and port overridden,
once on a fresh PostgreSQL database (127.0.0.1:5432, dropped afterwards) and once on the
image's default SQLite file. Each run checks /healthz, /readyz and /v1/meta, runs the
HEALTHCHECK command, restarts the container command to check start-up is idempotent,
and stops it with SIGTERM, expecting exit status 0. Then, as compose.yaml runs it, two
replicas of the CMD on that PostgreSQL database behind nginx with deploy/nginx.conf (Debian's
nginx-light at /usr/sbin/nginx; only its listen address, upstream servers and temp folders
changed): /healthz, /readyz and /v1/meta through the proxy, each replica serving some.

Usage: python scripts/docker_smoke.py [--keep]
Environment: SMOKE_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
"""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
NGINX = Path("/usr/sbin/nginx")
NGINX_CONFIG = ROOT / "deploy" / "nginx.conf"
#: compose.yaml's upstream line; Debian's nginx (1.22) has no `resolve`, so it is replaced.
UPSTREAM_LINE = "server api:8000 resolve;"
REPLICAS = 2
SYSTEM_DIRS = {"usr", "bin", "sbin", "lib", "etc", "dev", "proc", "sys", "tmp", "var", "root"}
# Commands a RUN step may contain that we can reproduce outside an image.
RUNNABLE = {"pip", "python", "mkdir", "rm"}
IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class SmokeFailure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


# ------------------------------------------------------------------ the Dockerfile


@dataclass
class Stage:
    name: str
    image: str
    steps: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.steps if kw == keyword]

    def last(self, keyword: str) -> str:
        found = self.all(keyword)
        check(bool(found), f"the {self.name} stage has no {keyword}")
        return found[-1]


def parse_dockerfile(text: str) -> list[Stage]:
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) > 2 and parts[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(name=name, image=parts[0]))
        else:
            check(bool(stages), f"{keyword} before FROM")
            stages[-1].steps.append((keyword, args))
    return stages


def exec_form(args: str, what: str) -> list[str]:
    try:
        command = json.loads(args)
    except json.JSONDecodeError:
        command = None
    check(
        isinstance(command, list) and all(isinstance(a, str) for a in command),
        f"{what} must be exec form (a JSON array), got: {args}",
    )
    return list(command)


def parse_env(args: str, env: dict[str, str]) -> dict[str, str]:
    """ENV K=V K2="V 2" (or the legacy ENV K V), expanding $VAR and ${VAR}."""
    tokens = shlex.split(args)
    pairs = (
        [tuple(t.split("=", 1)) for t in tokens]
        if "=" in tokens[0]
        else [(tokens[0], " ".join(tokens[1:]))]
    )
    out: dict[str, str] = {}
    for key, value in pairs:
        out[key] = re.sub(
            r"\$\{?(\w+)\}?", lambda m: {**env, **out}.get(m.group(1), ""), str(value)
        )
    return out


# ------------------------------------------------------------------ building


class FileSystems:
    """Maps each stage's absolute paths into a folder of its own."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def root(self, stage: Stage) -> Path:
        return self.base / f"stage-{stage.name}"

    def path(self, stage: Stage, container_path: str, workdir: str = "/") -> Path:
        absolute = (
            container_path if container_path.startswith("/") else f"{workdir}/{container_path}"
        )
        return self.root(stage) / os.path.normpath(absolute).lstrip("/")

    def rewrite(self, stage: Stage, text: str) -> str:
        """Absolute paths outside system folders, moved into the stage's folder."""

        def move(match: re.Match[str]) -> str:
            path = match.group(0)
            top = path.lstrip("/").split("/", 1)[0]
            return path if top in SYSTEM_DIRS else str(self.root(stage)) + path

        return re.sub(r"(?<![\w.~-])/[\w.-]+(?:/[\w.-]+)*", move, text)


def build(stages: list[Stage], fs: FileSystems) -> None:
    for stage in stages:
        workdir = "/"
        env: dict[str, str] = {"PATH": os.environ["PATH"]}
        fs.root(stage).mkdir(parents=True, exist_ok=True)
        print(f"== stage {stage.name} ({stage.image})")
        for keyword, args in stage.steps:
            if keyword == "WORKDIR":
                workdir = os.path.normpath(os.path.join(workdir, args))
                fs.path(stage, workdir).mkdir(parents=True, exist_ok=True)
            elif keyword == "ENV":
                env.update(parse_env(args, env))
            elif keyword == "COPY":
                copy(stage, args, workdir, stages, fs)
            elif keyword == "RUN":
                run_step(stage, args, workdir, env, fs)


def dockerignore() -> list[str]:
    path = ROOT / ".dockerignore"
    lines = path.read_text().splitlines() if path.is_file() else []
    return [line.strip().rstrip("/") for line in lines if line.strip() and line[0] != "#"]


def ignored(relpath: str, patterns: list[str]) -> bool:
    """Whether the build context leaves this path (or a folder above it) out."""
    parts = Path(relpath).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch(prefix, pattern) or fnmatch(prefix, pattern.removeprefix("**/"))
        for prefix in prefixes
        for pattern in patterns
    )


def copy(stage: Stage, args: str, workdir: str, stages: list[Stage], fs: FileSystems) -> None:
    tokens = shlex.split(args)
    patterns = dockerignore()
    source_stage = None
    while tokens[0].startswith("--"):
        flag = tokens.pop(0)
        if flag.startswith("--from="):
            source_stage = next(s for s in stages if s.name == flag.split("=", 1)[1])
    *sources, dest = tokens
    target = fs.path(stage, dest, workdir)
    for source in sources:
        origin = ROOT / source if source_stage is None else fs.path(source_stage, source)
        check(origin.exists(), f"COPY {source}: not found")
        if source_stage is None:
            check(not ignored(source, patterns), f"COPY {source}: .dockerignore leaves it out")
        if origin.is_dir():
            shutil.copytree(
                origin,
                target if not dest.endswith("/") else target / origin.name,
                dirs_exist_ok=True,
                ignore=lambda folder, names: [
                    n
                    for n in names
                    if source_stage is None
                    and ignored(str(Path(folder, n).relative_to(ROOT)), patterns)
                ],
            )
        else:
            target_file = target / origin.name if dest.endswith("/") else target
            target_file.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, target_file)


def run_step(stage: Stage, args: str, workdir: str, env: dict[str, str], fs: FileSystems) -> None:
    commands: list[list[str]] = [[]]
    for token in shlex.split(args):
        if token == "&&":
            commands.append([])
        else:
            commands[-1].append(token)
    for command in commands:
        program = command[0]
        name = Path(program).name
        if name not in RUNNABLE:
            print(f"   skipped (needs an image): {shlex.join(command)}")
            continue
        mapped = [fs.rewrite(stage, token) for token in command]
        if name == "pip":
            # pip or /opt/venv/bin/pip: the image's Python, or the venv made earlier.
            python = (
                [sys.executable] if program == "pip" else [str(Path(mapped[0]).parent / "python")]
            )
            mapped = [*python, "-m", "pip", *mapped[1:]]
        elif name == "python":
            mapped = [sys.executable, *mapped[1:]]
        print(f"   run: {shlex.join(command)}")
        result = subprocess.run(
            mapped,
            cwd=fs.path(stage, workdir),
            env={**os.environ, **{k: fs.rewrite(stage, v) for k, v in env.items()}},
            capture_output=True,
            text=True,
            check=False,
        )
        check(
            result.returncode == 0,
            f"RUN {shlex.join(command)} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}",
        )


# ------------------------------------------------------------------ running


@dataclass
class Container:
    """What `docker run` would start: the runtime stage's command and environment."""

    command: list[str]
    healthcheck: list[str]
    env: dict[str, str]
    workdir: Path
    port: str
    volumes: list[Path]


def container(stage: Stage, fs: FileSystems) -> Container:
    # What python:*-slim images start with, before the Dockerfile's own ENV.
    env = {"PATH": IMAGE_PATH, "LANG": "C.UTF-8"}
    workdir = "/"
    for keyword, args in stage.steps:
        if keyword == "ENV":
            env.update(parse_env(args, env))
        elif keyword == "WORKDIR":
            workdir = os.path.normpath(os.path.join(workdir, args))
    volumes = [
        fs.path(stage, path)
        for volume in stage.all("VOLUME")
        for path in (json.loads(volume) if volume.startswith("[") else volume.split())
    ]
    user = stage.last("USER").split(":")[0]
    check(user not in ("root", "0"), f"the image must not run as root (USER {user})")
    exposed = stage.last("EXPOSE").split("/")[0]
    check(
        env.get("APP_PORT") == exposed,
        f"EXPOSE {exposed} but ENV APP_PORT={env.get('APP_PORT')}: they must agree",
    )
    health = stage.last("HEALTHCHECK")
    check(" CMD " in f" {health} ", "HEALTHCHECK needs a CMD")
    healthcheck = exec_form(health.split(" CMD ", 1)[1] if " CMD " in health else "", "HEALTHCHECK")
    check(healthcheck[0] != "curl", "HEALTHCHECK must not need curl")
    env["HOME"] = workdir
    return Container(
        command=exec_form(stage.last("CMD"), "CMD"),
        healthcheck=healthcheck,
        env={k: fs.rewrite(stage, v) for k, v in env.items()},
        workdir=fs.path(stage, workdir),
        port=exposed,
        volumes=volumes,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get(port: int, path: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def start_container(
    box: Container, overrides: dict[str, str], log: Path
) -> tuple["subprocess.Popen[bytes]", int, dict[str, str]]:
    """Start the CMD on a free port; its process, port and environment."""
    port = free_port()
    env = {**box.env, **overrides, "APP_PORT": str(port)}
    for volume in box.volumes:  # docker creates the mount points
        volume.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            box.command, env=env, cwd=box.workdir, stdout=out, stderr=subprocess.STDOUT
        )
    return process, port, env


def wait_healthy(process: "subprocess.Popen[bytes]", port: int, label: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        check(process.poll() is None, f"{label}: exited with {process.returncode}")
        try:
            status, body = get(port, "/healthz")
            if status == 200:
                break
        except OSError:
            pass
        check(time.monotonic() < deadline, f"{label}: /healthz not up within 90 s")
        time.sleep(0.25)
    check(body == {"status": "ok"}, f"{label}: /healthz said {body}")


def stop_container(process: "subprocess.Popen[bytes]", label: str) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        raise SmokeFailure(f"{label}: still running 30 s after SIGTERM") from None


def request_lines(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith('{"time"')]


def run_container(box: Container, overrides: dict[str, str], label: str, log: Path) -> str:
    """Start the CMD, probe it, stop it with SIGTERM; return its combined output."""
    process, port, env = start_container(box, overrides, log)
    try:
        wait_healthy(process, port, label)
        status, ready = get(port, "/readyz")
        check(
            status == 200 and ready.get("status") == "ready", f"{label}: /readyz {status} {ready}"
        )
        status, meta = get(port, "/v1/meta")
        check(status == 200, f"{label}: /v1/meta {status} {meta}")
        check(meta["revision"] == ready["revision"], f"{label}: /readyz and /v1/meta disagree")
        datasets = [d["id"] for d in meta["datasets"]]
        check("met-2013" in datasets, f"{label}: seed data missing from /v1/meta: {datasets}")
        health = subprocess.run(
            box.healthcheck, env=env, cwd=box.workdir, capture_output=True, timeout=30, check=False
        )
        check(health.returncode == 0, f"{label}: HEALTHCHECK failed: {health.stderr.decode()}")
        print(f"   {label}: /healthz, /readyz, /v1/meta ({', '.join(datasets)}) and HEALTHCHECK ok")
    finally:
        code = stop_container(process, label)
    output = log.read_text()
    check(code == 0, f"{label}: exit status {code} after SIGTERM\n{output[-3000:]}")
    if env.get("APP_LOG_FORMAT") == "json":
        lines = request_lines(output)
        check(
            any(line["path"] == "/v1/meta" and line["status"] == 200 for line in lines),
            f"{label}: no JSON request line for /v1/meta",
        )
    return output


def smoke(box: Container, overrides: dict[str, str], label: str, logs: Path) -> None:
    first = run_container(box, overrides, f"{label}, first start", logs / f"{label}-1.log")
    check("met-2013: loaded" in first, f"{label}: the first start did not load met-2013")
    again = run_container(box, overrides, f"{label}, restart", logs / f"{label}-2.log")
    check("met-2013: unchanged" in again, f"{label}: the restart did not find the seed loaded")


def nginx_config(root: Path, listen: int, upstreams: list[int]) -> Path:
    """deploy/nginx.conf with only its listen address, upstream servers and temp folders
    changed (as tests/test_proxy.py runs it)."""
    text = NGINX_CONFIG.read_text()
    servers = "\n        ".join(f"server 127.0.0.1:{port};" for port in upstreams)
    temp = "".join(
        f"    {kind}_temp_path {root / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    for old, new in (
        (UPSTREAM_LINE, servers),
        ("listen 80;", f"listen 127.0.0.1:{listen};"),
        ("http {", "http {\n" + temp),
    ):
        check(text.count(old) == 1, f"deploy/nginx.conf: expected one {old!r}")
        text = text.replace(old, new)
    path = root / "nginx.conf"
    path.write_text(text)
    return path


def edge(box: Container, database_url: str, logs: Path) -> None:
    """Two replicas on one PostgreSQL database behind nginx, as compose.yaml runs them."""
    check(NGINX.exists(), f"{NGINX} is missing: apt-get install nginx-light")
    overrides = {
        "APP_DATABASE_URL": database_url,
        "APP_LOG_FORMAT": "json",
        "APP_TRUSTED_PROXIES": "127.0.0.1",
    }
    replicas = [
        (f"replica {n}", *start_container(box, overrides, logs / f"replica-{n}.log"))
        for n in range(1, REPLICAS + 1)
    ]
    root = logs / "nginx"
    root.mkdir()
    proxy = None
    try:
        for label, process, port, _ in replicas:
            wait_healthy(process, port, label)
        listen = free_port()
        config = nginx_config(root, listen, [port for _, _, port, _ in replicas])
        proxy = subprocess.Popen(
            [
                str(NGINX),
                "-p",
                str(root),
                "-c",
                str(config),
                "-g",
                f"daemon off; pid {root}/nginx.pid; error_log {root}/error.log;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while True:
            if proxy.poll() is not None:
                raise SmokeFailure(f"nginx exited: {(root / 'error.log').read_text()}")
            try:
                status, body = get(listen, "/healthz")
                break
            except OSError:
                check(time.monotonic() < deadline, "nginx: not listening within 15 s")
                time.sleep(0.2)
        check(status == 200 and body == {"status": "ok"}, f"proxy /healthz: {status} {body}")
        status, ready = get(listen, "/readyz")
        check(status == 200 and ready.get("status") == "ready", f"proxy /readyz: {status} {ready}")
        for _ in range(8 * REPLICAS):
            status, meta = get(listen, "/v1/meta")
            check(status == 200, f"proxy /v1/meta: {status} {meta}")
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(10)
        codes = [stop_container(process, label) for label, process, _, _ in replicas]
    served = []
    for (label, _, _, _), code in zip(replicas, codes, strict=True):
        output = (logs / f"replica-{label.split()[-1]}.log").read_text()
        check(code == 0, f"{label}: exit status {code} after SIGTERM\n{output[-3000:]}")
        metas = [line for line in request_lines(output) if line["path"] == "/v1/meta"]
        check(bool(metas), f"{label}: nginx sent it no /v1/meta")
        served.append(len(metas))
    print(f"   nginx in front of {REPLICAS} replicas: /healthz, /readyz ok; /v1/meta x {served}")


def main() -> int:
    keep = "--keep" in sys.argv
    base = Path(tempfile.mkdtemp(prefix="docker-smoke-"))
    admin_url = os.environ.get("SMOKE_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    database = f"smoke_{uuid.uuid4().hex[:10]}"
    created = False
    try:
        stages = parse_dockerfile(DOCKERFILE.read_text())
        runtime = stages[-1]
        wanted = f"{sys.version_info.major}.{sys.version_info.minor}"
        if f":{wanted}" not in runtime.image:
            print(f"warning: the image uses {runtime.image}; this run uses Python {wanted}")
        fs = FileSystems(base)
        box = container(runtime, fs)  # checks the runtime stage before a long build
        build(stages, fs)
        print(f"== CMD {box.command} in {box.workdir}")

        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        created = True
        pg_url = re.sub(r"/[^/]*$", f"/{database}", admin_url)
        smoke(box, {"APP_DATABASE_URL": pg_url}, "postgresql", base)
        edge(box, pg_url, base)
        smoke(box, {}, "sqlite", base)
        print("docker smoke: ok")
        return 0
    except SmokeFailure as failure:
        print(f"docker smoke FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        if created:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
