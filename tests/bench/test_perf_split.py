#!/usr/bin/env python3
"""Unit test of perf_split.py (run by scripts/test.sh's unit stage): the
classification of `perf script` call chains as the kernels here print them,
the process filter, and the estimates of table()."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import perf_split  # noqa: E402

K = '([kernel.kallsyms])'
# An AF_XDP kick whose veth transmit runs the client namespace's UDP receive.
RECV_STACK = f"""rtcgw-dataplane 100/100
\tffffffff820a8a7f __udp4_lib_rcv {K}
\tffffffff81eb9603 process_backlog {K}
\tffffffff81eba2ce net_rx_action {K}
\tffffffff8136979d handle_softirqs {K}
\tffffffff81eb5c9c __dev_direct_xmit {K}
\tffffffff822023ef __xsk_generic_xmit {K}
\tffffffff82202dce xsk_sendmsg {K}
\tffffffff81e80ba2 __sys_sendto {K}
\t          10aba4 __send (/usr/lib/x86_64-linux-gnu/libc.so.6)
"""
# The same kick, in the skb allocation before the veth.
SEND = f"""rtcgw-dataplane 100/101
\tffffffff81e8a000 __alloc_skb+0x4a {K}
\tffffffff822023ef __xsk_generic_xmit {K}
\tffffffff81e80ba2 __sys_sendto {K}
\t          10aba4 __send (/usr/lib/x86_64-linux-gnu/libc.so.6)
"""
USER = """rtcgw-dataplane 100/100
\t          4eba [unknown] (/usr/lib/x86_64-linux-gnu/librte_net_af_xdp.so.23.0)
\t          1234 dp_lcore_main (/work/build/dataplane/rtcgw-dataplane)
"""
RECV = f"""turnserver 200/200
\tffffffff81e80000 skb_copy_datagram_iter {K}
\tffffffff81e80100 ____sys_recvmsg {K}
\tffffffff81e80200 __sys_recvmsg {K}
\t          f838f recvmsg (/usr/lib/x86_64-linux-gnu/libc.so.6)
"""
SLEEP = f"""rtcgw-dataplane 100/100
\tffffffff81200000 __schedule {K}
\tffffffff81200100 schedule {K}
\tffffffff81200200 __x64_sys_clock_nanosleep {K}
"""
OTHER = f"""rtcgw-dataplane 100/100
\tffffffff81300000 asm_exc_page_fault {K}
"""


class Split(unittest.TestCase):
    def counts(self, text, pid):
        return perf_split.split(text.splitlines(True), pid)

    def test_categories(self):
        text = RECV_STACK + '\n' + SEND + '\n' + USER + '\n' + SLEEP + '\n' + OTHER + '\n'
        self.assertEqual(self.counts(text, '100'),
                         {'user': 1, 'send': 1, 'recv_stack': 1, 'recv': 0, 'sleep': 1, 'kernel': 1})

    def test_process_filter(self):
        text = RECV + '\n' + USER + '\n'
        self.assertEqual(self.counts(text, '200')['recv'], 1)
        self.assertEqual(sum(self.counts(text, '200').values()), 1)
        self.assertEqual(sum(self.counts(text, '300').values()), 0)

    def test_comm_with_spaces(self):
        text = 'rte mp handle 100/102\n' + USER.split('\n', 1)[1]
        self.assertEqual(self.counts(text, '100')['user'], 1)

    def test_row(self):
        import subprocess
        out = subprocess.run([sys.executable, perf_split.__file__, '--row', 'rtcgw', 'STUN', '100'],
                             input=RECV_STACK + '\n' + USER, capture_output=True, text=True,
                             check=True).stdout
        self.assertEqual(out, 'rtcgw\tSTUN\t2\t50.0\t0.0\t50.0\t0.0\t0.0\t0.0\n')
        self.assertEqual(len(perf_split.ROW_HEADER.split('\t')), len(out.split('\t')))
        none = subprocess.run([sys.executable, perf_split.__file__, '300'], input=USER,
                              capture_output=True, text=True)
        self.assertEqual(none.returncode, 1)

    def test_table(self):
        row = dict(user=20, send=30, recv_stack=50, recv=0, sleep=0, kernel=0, samples=10)
        lines = perf_split.table([dict(row, case='STUN', server='rtcgw', measured=100000),
                                  dict(row, case='STUN', server='coturn', measured=50000,
                                       recv_stack=0)], 'coturn')
        text = '\n'.join(lines)
        # rtcgw: 100k / (1 - 0.5) = 200k without the stack, 100k / 0.2 = 500k own
        self.assertIn('| 100,000 | 200,000 | 500,000 |', text)
        self.assertIn('**4.00x**', text)   # 200k / 50k
        self.assertIn('**10.0x**', text)   # 500k / 50k
        # the veth's charge: 100k / (0.3 + 0.5) = 125k = 2.5 x coturn's 50k
        self.assertIn('at 125,000 per CPU-s, **2.5x**', text)

    def test_table_no_veth_charge(self):
        # a server whose samples show no send or receiving stack: no cap line
        row = dict(user=100, send=0, recv_stack=0, recv=0, sleep=0, kernel=0, samples=10)
        text = '\n'.join(perf_split.table([dict(row, case='X', server='rtcgw', measured=10),
                                            dict(row, case='X', server='coturn', measured=5)],
                                           'coturn'))
        self.assertIn('**2.00x**', text)
        self.assertNotIn('caps any server', text)

    def test_without_recv_stack(self):
        # what the bench scripts' memif tables divide by
        self.assertEqual(perf_split.without_recv_stack(100000, 50), 200000)
        self.assertEqual(perf_split.without_recv_stack(100000, 0), 100000)
        v = perf_split.without_recv_stack(100000, 100)
        self.assertNotEqual(v, v)          # nan: all of it was the stack


if __name__ == '__main__':
    unittest.main()
