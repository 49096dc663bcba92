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
                if len(parts) >= 2 and parts[0] in ("Rss:", "Pss:", "Pss_Anon:", "Pss_File:",
                                                    "Pss_Shmem:"):
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
    """{'rss_kb', 'pss_kb', 'anon_kb', 'file_kb', 'processes': [(pid, comm, rss_kb, pss_kb,
    pss_anon_kb, pss_file_kb)]} over the tree (PSS: a shared page counts as its share; anon:
    the processes' own memory, heaps and stacks; file: mapped files, the libraries' pages)."""
    rows = []
    for pid in descendants(root):
        r = _rollup(pid)
        if r:
            rows.append((pid, _comm(pid), r.get("Rss", 0), r.get("Pss", 0),
                         r.get("Pss_Anon", 0) + r.get("Pss_Shmem", 0), r.get("Pss_File", 0)))
    return {
        "rss_kb": sum(r[2] for r in rows),
        "pss_kb": sum(r[3] for r in rows),
        "anon_kb": sum(r[4] for r in rows),
        "file_kb": sum(r[5] for r in rows),
        "processes": rows,
    }


def top_mappings(root, n=25):
    """The mapped files (and anonymous memory) that weigh most in the tree, by PSS:
    [(kb, what)], for finding what to cut."""
    weight = {}
    for pid in descendants(root):
        try:
            with open(f"/proc/{pid}/smaps") as f:
                what = None
                for line in f:
                    parts = line.split()
                    if not parts:
                        continue
                    if not parts[0].endswith(":"):
                        # A mapping's header: address range, perms, offset, dev, inode, path.
                        what = parts[5] if len(parts) > 5 else "[anon]"
                    elif parts[0] == "Pss:" and what is not None:
                        weight[what] = weight.get(what, 0) + int(parts[1])
        except OSError:
            pass
    return sorted(((kb, w) for w, kb in weight.items()), reverse=True)[:n]
