#!/usr/bin/env python3
"""Parse an exposition with the reference Python client and print its samples in a normalized form.

Usage: python_crosscheck.py --format prometheus|openmetrics FILE

One line per sample, in exposition order:

    <name> TAB <label>=<hex of the UTF-8 value>,... (in written order) TAB <value>

where <value> is `int:<decimal>` when the parser returned an int (OpenMetrics integers), `nan` for any NaN,
or `bits:<16 hex digits>` (the IEEE-754 bit pattern of the float). The Swift tests compare these lines with
the samples they put into the registry, so values are checked bit for bit.

Exit status: 0 on success, 1 when the parser rejects the input, 2 when prometheus_client is missing
(run scripts/test, which installs it).
"""

import argparse
import math
import struct
import sys


def value_text(value):
    if isinstance(value, bool):
        raise ValueError("boolean sample value")
    if isinstance(value, int):
        return "int:%d" % value
    if math.isnan(value):
        return "nan"
    return "bits:%016x" % struct.unpack("<Q", struct.pack("<d", value))[0]


def main():
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--format", choices=["prometheus", "openmetrics"], required=True)
    arguments.add_argument("file")
    options = arguments.parse_args()
    try:
        if options.format == "prometheus":
            from prometheus_client.parser import text_string_to_metric_families
        else:
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
    except ImportError as error:
        print("prometheus_client is not installed (%s): run scripts/test, which installs it" % error, file=sys.stderr)
        return 2
    with open(options.file, encoding="utf-8") as handle:
        text = handle.read()
    lines = []
    try:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = ",".join("%s=%s" % (name, value.encode("utf-8").hex()) for name, value in sample.labels.items())
                lines.append("%s\t%s\t%s" % (sample.name, labels, value_text(sample.value)))
    except Exception as error:  # the parsers raise ValueError and others for invalid input
        print("%s parser rejected the input: %r" % (options.format, error), file=sys.stderr)
        return 1
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
