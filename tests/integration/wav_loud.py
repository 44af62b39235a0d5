#!/usr/bin/env python3
"""Whether a WAV a test's receiver wrote holds sound (test_calls_webrtc.sh,
test_calls_bundle.sh).

Usage: wav_loud.py FILE MIN_SECONDS

Prints its length, RMS and peak; exits 0 when it has MIN_SECONDS of 16-bit
samples or more and an RMS over 100 (not silence), 1 otherwise (no file, a
broken one, too short, silent). Stdlib only.
"""
import array
import math
import sys
import wave


def main():
    try:
        w = wave.open(sys.argv[1])
        a = array.array("h", w.readframes(w.getnframes()))
        secs = w.getnframes() / w.getframerate()
    except Exception as e:  # a missing or cut-off file is a "no"
        print("# no WAV: %s" % e)
        return 1
    rms = math.sqrt(sum(x * x for x in a) / max(len(a), 1))
    print("# %s: %.1f s, RMS %.0f, peak %d" % (sys.argv[1].rsplit("/", 1)[-1], secs, rms,
                                            max((abs(x) for x in a), default=0)))
    return 0 if secs >= float(sys.argv[2]) and rms > 100 else 1


if __name__ == "__main__":
    sys.exit(main())
