"""Counts the JUnit XML files a VM run wrote (GoogleTest and pytest) and prints the line
the host's tests/vm/run looks for. A suite that left no XML (crashed, timed out) counts as
one failure; a skipped test counts as failed, since nothing may skip itself in the VM.
Usage: count_results.py UNAME DIR N_EXPECTED_GTEST_FILES N_EXPECTED_PYTEST_FILES"""
import glob
import os
import sys
import xml.etree.ElementTree as ET

uname, d, n_gtest, n_pytest = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
passed = failed = 0
files = sorted(glob.glob(os.path.join(d, "*.xml")))
for f in files:
    try:
        root = ET.parse(f).getroot()
    except ET.ParseError:
        print(f"hugin-vm: {os.path.basename(f)}: unreadable XML")
        failed += 1
        continue
    for case in root.iter("testcase"):
        bad = [c.tag for c in case if c.tag in ("failure", "error", "skipped")]
        if bad:
            failed += 1
            print(f"hugin-vm: {bad[0]}: {case.get('classname')}.{case.get('name')}")
        else:
            passed += 1
missing = n_gtest + n_pytest - len(files)
if missing > 0:
    print(f"hugin-vm: {missing} suite(s) left no result (crashed or timed out)")
    failed += missing
print(f"hugin-vm-result: kernel {uname}: {passed} passed, {failed} failed")
