#!/usr/bin/env python3
"""Split a server's CPU samples by what the CPU was doing, from `perf script`.

    perf script -i FILE -F comm,pid,tid,ip,sym,dso | perf_split.py PID

scripts/bench.sh and scripts/bench_calls.sh record the server process
(perf record -g -p PID) during one more run at their highest load and ask
where its CPU went. On a veth the sender runs the receiving namespace's
network stack in its own context (the softirq that veth_xmit raises runs
when the sender re-enables bottom halves), so a server's sends are charged
with its client's UDP receive. The categories, first match wins, looking at
the whole call chain of each sample:

  recv_stack  net_rx_action in the chain: softirq network receive run in the
              server's context (on a veth: the receiving side's stack)
  send        a send syscall in the chain (sendto, sendmsg, sendmmsg; for
              AF_XDP in copy mode the kick that copies each frame into an
              skb and hands it to the veth)
  recv        a receive or poll syscall (recvmsg, recvmmsg, recvfrom, poll,
              epoll_wait, select)
  sleep       the other syscalls and the scheduler (nanosleep, futex, ...)
  kernel      the rest of the kernel samples (page faults, timers, ...)
  user        the sample's own frame is not the kernel's: the server's code,
              its libraries (DPDK's PMDs, libc, libcrypto)

Prints one line: samples=N user=P send=P recv_stack=P recv=P sleep=P
kernel=P, P in percent of the process's samples; with --row SERVER CASE a
tab-separated line of the benches' profile.tsv instead (ROW_HEADER names
its columns). Exits 1 with no samples.

The bench scripts' reports import table() for the markdown they print.
"""
import sys

SEND = ('__sys_sendto', '__sys_sendmsg', '__sys_sendmmsg', 'xsk_sendmsg')
RECV = ('__sys_recvmsg', '__sys_recvmmsg', '__sys_recvfrom', 'do_sys_poll',
        'do_epoll_wait', 'core_sys_select', '__x64_sys_poll', '__x64_sys_ppoll')
CATS = ('user', 'send', 'recv_stack', 'recv', 'sleep', 'kernel')
ROW_HEADER = '\t'.join(('server', 'case', 'samples') + CATS)


def classify(frames):
    """frames: [(sym, dso)], innermost first."""
    syms = [s for s, _ in frames]
    if not frames or frames[0][1] != '[kernel.kallsyms]':
        return 'user'
    if 'net_rx_action' in syms:
        return 'recv_stack'
    if any(s in SEND for s in syms):
        return 'send'
    if any(s in RECV for s in syms):
        return 'recv'
    if any(s.startswith(('__x64_sys_', 'do_syscall_64')) for s in syms) or \
            'schedule' in syms or '__schedule' in syms:
        return 'sleep'
    return 'kernel'


def split(lines, pid):
    """Samples of process pid in `perf script` lines: {category: count}."""
    counts = dict.fromkeys(CATS, 0)
    cur, frames = None, []
    for line in list(lines) + ['end 0/0']:
        if not line.strip():
            continue
        if not line[0].isspace():
            if cur == pid:
                counts[classify(frames)] += 1
            # "comm pid/tid": the comm may contain spaces, pid/tid is last.
            tok = line.split()
            cur = tok[-1].split('/')[0] if '/' in tok[-1] else None
            frames = []
            continue
        # "\taddr sym (dso)"; sym may be [unknown] or contain spaces.
        body = line.strip().split(' ', 1)
        rest = body[1] if len(body) > 1 else ''
        dso = rest[rest.rfind('(') + 1:-1] if rest.endswith(')') else ''
        sym = rest[:rest.rfind('(')].strip() if '(' in rest else rest
        frames.append((sym.split('+')[0], dso))
    return counts


def without_recv_stack(measured, recv_stack_pct):
    """A server's packets per CPU-s without the share of its CPU a veth
    charged it for the receiving namespace's stack (nan when that was all)."""
    return measured / (1 - recv_stack_pct / 100) if recv_stack_pct < 100 else float('nan')


def table(rows, peer):
    """Markdown lines for the profile rows: dicts with case, server
    (rtcgw or peer), measured (its packets per CPU-s in the measured runs),
    samples and the CATS percentages. Two estimates per row: without the
    receiving side's stack (what a sender on a veth is charged for its
    receiver), and, for rtcgw, its own code only (what its path costs where
    the PMD needs no kernel: a vfio NIC). And per case the ceiling the veth
    itself puts on rtcgw's way of sending: what a server whose own work
    cost nothing would reach if charged only rtcgw's send and receiving-stack
    time per packet."""
    out = [f"| case | server | samples | user % | send % | recv stack % | recv % | sleep % | "
           f"other kernel % | pkts / CPU-s (measured) | without the recv stack | own code only |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    est, cap, meas = {}, {}, {}
    for r in rows:
        f = {k: float(r[k]) for k in CATS}
        m = float(r['measured'])
        wo = without_recv_stack(m, f['recv_stack'])
        own = m / (f['user'] / 100) if f['user'] > 0 else float('nan')
        est[(r['server'], r['case'])] = (wo, own)
        meas[(r['server'], r['case'])] = m
        veth = (f['send'] + f['recv_stack']) / 100
        if r['server'] == 'rtcgw' and veth > 0:
            cap[r['case']] = m / veth
        out.append(f"| {r['case']} | {r['server']} | {int(r['samples']):,} | {f['user']:.1f} | "
                   f"{f['send']:.1f} | {f['recv_stack']:.1f} | {f['recv']:.1f} | {f['sleep']:.1f} | "
                   f"{f['kernel']:.1f} | {m:,.0f} | {wo:,.0f} | " +
                   (f"{own:,.0f}" if r['server'] == 'rtcgw' else "(needs the kernel)") + " |")
    out.append("")
    for case in dict.fromkeys(r['case'] for r in rows):
        if ('rtcgw', case) in est and (peer, case) in est:
            (rw, ro), (pw, _) = est[('rtcgw', case)], est[(peer, case)]
            line = (f"{case}: rtcgw/{peer} per CPU-s without the receiving side's stack "
                    f"**{rw / pw:.2f}x**; rtcgw's own code only against {peer} without the "
                    f"receiving side's stack **{ro / pw:.1f}x** (an estimate from this profile, "
                    f"not a measurement on a NIC).")
            if case in cap:     # rtcgw had send or receiving-stack samples
                line += (f" The veth's charge alone (rtcgw's send and receiving-stack time per "
                         f"packet) caps any server sending this way at {cap[case]:,.0f} per "
                         f"CPU-s, **{cap[case] / meas[(peer, case)]:.1f}x** {peer}'s measured "
                         f"figure.")
            out.append(line)
            out.append("")
    return out


def main():
    a = sys.argv[1:]
    row = len(a) == 4 and a[0] == '--row'
    if not (row or len(a) == 1) or not a[-1].isdigit():
        sys.exit('usage: perf script ... | perf_split.py [--row SERVER CASE] PID')
    counts = split(sys.stdin, a[-1])
    n = sum(counts.values())
    if not n:
        sys.exit(1)
    pct = [f'{100.0 * counts[c] / n:.1f}' for c in CATS]
    if row:     # a line of the benches' profile.tsv (header: ROW_HEADER)
        print('\t'.join([a[1], a[2], str(n)] + pct))
    else:
        print(f'samples={n} ' + ' '.join(f'{c}={p}' for c, p in zip(CATS, pct)))


if __name__ == '__main__':
    main()
