"""``forecast explore``: open the scenario explorer as an app (Voilà serving ``notebooks/explore.ipynb``).

Voilà runs the launcher notebook in a kernel of this environment and shows its widgets
and markdown, never its code (``strip_sources``, Voilà's default, is passed explicitly).
The options reach the kernel as environment variables
(:data:`forecast.config.EXPLORE_ENV`). The server listens on 127.0.0.1 unless ``--ip``
says otherwise and runs until Ctrl+C.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from forecast import config
from forecast.cli import UserError
from forecast.commands.simulate import RUN_HINDCAST_SEED
from forecast.domain.status import REQUIRED_P
from forecast.inputs.dataset import load_dataset
from forecast.inputs.tables import ValidationError
from forecast.reports import cleansave
from forecast.reports.kernel import ensure_kernel
from forecast.verdict import runhindcast

DEFAULT_PORT = 8866
#: What the terminal says while the run's hindcast is read or computed (the command imports
#: nothing of the explorer itself: every ``forecast`` command would pay for its widgets).
HINDCAST_STATUS = {"vi": "Đang đọc kết quả kiểm định quá khứ của mô hình dòng nhân lực (nếu chưa có, tính lần đầu "
                         "mất khoảng 20 giây) …",
                   "en": "Reading the stock-flow model's hindcast (computed the first time, about 20 seconds) …"}


def register(sub) -> None:
    p = sub.add_parser(
        "explore",
        help="open the scenario explorer as an app in the browser (no code on screen)",
        description="Serve the scenario explorer with Voilà: sliders, verdict, chart, saved scenarios, "
                    "comparisons and exports, in Vietnamese by default. Stop it with Ctrl+C.")
    p.add_argument("--data", type=Path, default=None, help="dataset folder (default: the demo province)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port to serve on (default {DEFAULT_PORT})")
    p.add_argument("--lang", choices=("vi", "en"), default="vi", help="language on opening (default vi)")
    p.add_argument("--scenario", default="baseline", help="starting scenario (default baseline)")
    p.add_argument("--p", type=float, default=REQUIRED_P, dest="p_required",
                   help="required probability of meeting a target on opening, 0.5-0.95 (default 0.8)")
    p.add_argument("--draws", type=int, default=config.EXPLORE_DRAWS,
                   help=f"simulation draws per projection (default {config.EXPLORE_DRAWS}; more are more precise and slower)")
    p.add_argument("--ip", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.add_argument("--kernel-idle", type=int, default=KERNEL_IDLE_S, metavar="SECONDS",
                   help=f"shut down a closed page's kernel after this many idle seconds (default {KERNEL_IDLE_S}; "
                        "each open page keeps one of about 330 MB)")
    p.set_defaults(func=run)


def port_free(port: int, ip: str = "127.0.0.1") -> bool:
    """Whether ``port`` can be bound on ``ip`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind((ip, port))
        except OSError:
            return False
    return True


#: Seconds a page's kernel may sit idle with no page connected before it is shut down (each
#: opened page starts a kernel of about 330 MB; a closed tab would otherwise keep it until Ctrl+C).
KERNEL_IDLE_S = 600
#: Seconds between two checks for such kernels.
KERNEL_CHECK_S = 60


def voila_command(notebook: Path, port: int, ip: str, open_browser: bool, idle_s: int = KERNEL_IDLE_S,
                  check_s: int = KERNEL_CHECK_S) -> list[str]:
    """The Voilà command line: the lab template, sources stripped, tracebacks kept from the page, and
    the kernels of closed pages shut down after ``idle_s`` idle seconds (a connected page's kernel is kept)."""
    cmd = [sys.executable, "-m", "voila", str(notebook), f"--port={port}", f"--Voila.ip={ip}",
           "--template=lab", "--strip_sources=True", "--show_tracebacks=False",
           f"--MappingKernelManager.cull_idle_timeout={int(idle_s)}",
           f"--MappingKernelManager.cull_interval={int(check_s)}",
           "--MappingKernelManager.cull_connected=False"]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def environment(args) -> dict[str, str]:
    """This process's environment plus the explorer's settings for the kernel."""
    env = dict(os.environ)
    settings = {"data_dir": str(Path(args.data).resolve()) if args.data else "", "lang": args.lang,
                "scenario": args.scenario, "n_draws": str(args.draws),
                "p_required": repr(float(getattr(args, "p_required", 0.8)))}
    for key, var in config.EXPLORE_ENV.items():
        if settings[key]:
            env[var] = settings[key]
    return env


def warm_hindcast(data: Path | None, lang: str) -> None:
    """Read (or compute once, about 20 s on the demo) the run's hindcast before the app opens.

    The explorer's probabilities carry the engine's hindcast spread and follow its scores
    (``docs/explorer.md``); computed here, the wait shows in the terminal in ``lang`` and the
    app's kernel finds the result in the cache.
    """
    try:
        dataset = load_dataset(Path(data) if data else None)
    except ValidationError as exc:
        raise UserError(str(exc)) from exc
    print(HINDCAST_STATUS.get(lang, HINDCAST_STATUS["vi"]), file=sys.stderr, flush=True)
    runhindcast.for_run(dataset, Path(data) if data else config.demo_dir(), seed=RUN_HINDCAST_SEED)


def run(args) -> int:
    if args.data is not None and not Path(args.data).is_dir():
        raise UserError(f"{args.data}: no such dataset folder")
    if args.draws < 50:
        raise UserError(f"--draws must be at least 50, got {args.draws}")
    if not 0.5 <= args.p_required <= 0.95:
        raise UserError(f"--p must be between 0.5 and 0.95, got {args.p_required}")
    if args.kernel_idle < 1:
        raise UserError(f"--kernel-idle must be at least 1 second, got {args.kernel_idle}")
    if not 0 < args.port < 65536:
        raise UserError(f"--port must be between 1 and 65535, got {args.port}")
    if not port_free(args.port, args.ip):
        raise UserError(f"port {args.port} is in use on {args.ip}; choose another with --port")
    notebook = config.explore_notebook()
    if not notebook.exists():
        raise UserError(f"{notebook}: the explorer's notebook is missing")
    ensure_kernel()
    warm_hindcast(args.data, args.lang)
    try:  # JupyterLab, opened from this environment, then saves the launcher clean
        cleansave.install_hook()
    except OSError as exc:  # a read-only environment: the app itself does not need it
        print(f"note: JupyterLab's clean-save hook not installed ({exc})", file=sys.stderr)
    cmd = voila_command(notebook, args.port, args.ip, open_browser=not args.no_browser, idle_s=args.kernel_idle,
                        check_s=min(KERNEL_CHECK_S, max(1, args.kernel_idle // 2)))
    print(f"Công cụ khám phá kịch bản / Scenario explorer: http://{args.ip}:{args.port}/  (Ctrl+C để dừng / to stop)",
          flush=True)
    proc = subprocess.Popen(cmd, env=environment(args), cwd=str(notebook.parent))
    # a service manager stops with SIGTERM: stop Voilà (and its kernels) with us
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            return proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            return 130


def _interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def wait_until_listening(port: int, ip: str = "127.0.0.1", timeout: float = 120.0,
                         proc: subprocess.Popen | None = None) -> None:
    """Wait until something accepts connections on ``port`` (for tests and the benchmark).

    Raises ``TimeoutError`` after ``timeout`` seconds, or ``RuntimeError`` when ``proc``
    ended first.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the explorer's server ended with code {proc.returncode}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(1.0)
            if s.connect_ex((ip, port)) == 0:
                return
        time.sleep(0.3)
    raise TimeoutError(f"nothing listens on {ip}:{port} after {timeout:.0f} s")


def free_port(ip: str = "127.0.0.1") -> int:
    """A port free now (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((ip, 0))
        return int(s.getsockname()[1])
