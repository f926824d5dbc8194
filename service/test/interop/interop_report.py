"""Shared by the interop drivers: runs (name, fn) cases and prints one JSON line per case for the TS test."""

import json
import traceback


def report(cases):
    """Runs every case, even after a failure; each line is {"case", "ok", "detail"}."""
    for name, fn in cases:
        try:
            detail = fn()
            print(json.dumps({"case": name, "ok": True, "detail": detail or ""}), flush=True)
        except Exception as e:  # noqa: BLE001 - every failure becomes a reported case
            detail = f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}"
            print(json.dumps({"case": name, "ok": False, "detail": detail}), flush=True)
    return 0
