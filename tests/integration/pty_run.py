#!/usr/bin/env python3
"""Run a command in a pseudo-terminal, as an operator at a terminal would, and
stop it the way the test asks once its output shows a marker line.

    pty_run.py [options] -- CMD ARGS...

  --ready TEXT     output that means the command is up (default: "Ctrl-C stops the gateway")
  --stop HOW       ctrl-c      write ^C (0x03) to the terminal: the line discipline
                               sends SIGINT to the terminal's foreground process group
                   sigint-pgrp kill(-pgid, SIGINT), what a terminal does, from a script
                   sigterm     kill(pid, SIGTERM) to the command itself
                   cmd         run --stop-cmd (e.g. "scripts/run.sh --stop")
  --stop-cmd CMD   shell command for --stop cmd
  --at-ready CMD   shell command run once ready, before the stop
  --at-stopped CMD shell command run the moment TEXT of --stopped appears, before the
                   command has returned: its output and status are printed
  --stopped TEXT   (default: "rtcgw: stopped")
  --timeout S      for the start and, separately, for the stop (default 120 / 60)
  --log FILE       everything the terminal showed

Prints "# ready", "# stop sent", "# stopped seen", "# at-stopped status N" and
"# exit status N" lines; exits 0 when the command returned by itself within the
timeout, 1 otherwise (then its process group gets SIGKILL).
"""
import argparse
import os
import pty
import select
import signal
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ready", default="Ctrl-C stops the gateway")
    ap.add_argument("--stop", required=True, choices=["ctrl-c", "sigint-pgrp", "sigterm", "cmd"])
    ap.add_argument("--stop-cmd")
    ap.add_argument("--at-ready")
    ap.add_argument("--at-stopped")
    ap.add_argument("--stopped", default="rtcgw: stopped")
    ap.add_argument("--timeout", type=float, nargs=2, default=[120.0, 60.0])
    ap.add_argument("--log", required=True)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        ap.error("no command")

    pid, fd = pty.fork()
    if pid == 0:
        # Python ignores SIGPIPE; an ignored signal stays ignored across exec.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.execvp(cmd[0], cmd)
    out = bytearray()
    log = open(a.log, "wb")
    status = None

    def wait_exit(deadline):
        """Reap the command if it ends before the deadline."""
        nonlocal status
        while status is None and time.monotonic() < deadline:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = st
            else:
                time.sleep(0.1)

    def hook(name, cmd, **kw):
        """Run a shell command, print its output and status as # lines."""
        r = subprocess.run(cmd, shell=True, capture_output=True, text=True, **kw)
        for line in (r.stdout + r.stderr).splitlines():
            print("# %s: %s" % (name, line))
        print("# %s status %d" % (name, r.returncode))

    def pump(deadline, until=None):
        """Read the terminal until `until` shows up in what is new, the child
        exits, or the deadline passes. True when `until` was seen."""
        nonlocal status
        start = len(out)
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    data = b""
                if data:
                    out.extend(data)
                    log.write(data)
                    log.flush()
                    if until is not None and until.encode() in out[max(0, start - len(until)):]:
                        return True
                    continue
                # EOF: nothing holds the terminal any more.
                wait_exit(deadline)
                return False
            if status is None:
                done, st = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = st
            elif not r:
                return False
        return False

    ok = False
    if not pump(time.monotonic() + a.timeout[0], a.ready):
        print("# not ready within %.0f s" % a.timeout[0])
    else:
        print("# ready")
        time.sleep(0.5)
        if a.at_ready:
            hook("at-ready", a.at_ready)
        if a.stop == "ctrl-c":
            os.write(fd, b"\x03")
        elif a.stop == "sigint-pgrp":
            os.killpg(os.getpgid(pid), signal.SIGINT)
        elif a.stop == "sigterm":
            os.kill(pid, signal.SIGTERM)
        else:
            hook("stop-cmd", a.stop_cmd, timeout=a.timeout[1])
        print("# stop sent (%s)" % a.stop)
        t_stop = time.monotonic()
        deadline = time.monotonic() + a.timeout[1]
        if pump(deadline, a.stopped):
            print("# stopped seen after %.1f s" % (time.monotonic() - t_stop))
            if a.at_stopped:
                hook("at-stopped", a.at_stopped)
        pump(deadline)
        wait_exit(deadline)
        ok = status is not None
    if status is None:
        print("# still running: SIGKILL to its process group")
        try:
            os.killpg(os.getpgid(pid), signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    else:
        print("# exit status %d" % os.waitstatus_to_exitcode(status))
    log.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
