"""Process-tree memory for the app benchmark: RSS and PSS of a process and all its
descendants (the Tauri app plus WebKit's web and network processes)."""

import os


def _ppid(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            # pid (comm) state ppid ...; comm may hold spaces and parentheses.
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def descendants(root):
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    parent = {p: _ppid(p) for p in pids}
    out, frontier = [root], [root]
    while frontier:
        nxt = [p for p, pp in parent.items() if pp in frontier]
        out.extend(nxt)
        frontier = nxt
    return out


def find_by_exe(path):
    path = os.path.realpath(path)
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            if os.path.realpath(f"/proc/{p}/exe") == path:
                found.append(int(p))
        except OSError:
            pass
    return found


def _rollup(pid):
    vals = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:"):
                    vals[parts[0][:-1]] = int(parts[1])
    except OSError:
        pass
    return vals


def _comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def tree_memory(root):
    """{'rss_kb', 'pss_kb', 'processes': [(pid, comm, rss_kb, pss_kb)]} over the tree."""
    rows = []
    for pid in descendants(root):
        r = _rollup(pid)
        if r:
            rows.append((pid, _comm(pid), r.get("Rss", 0), r.get("Pss", 0)))
    return {
        "rss_kb": sum(r[2] for r in rows),
        "pss_kb": sum(r[3] for r in rows),
        "processes": rows,
    }
