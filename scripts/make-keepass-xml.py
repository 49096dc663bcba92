#!/usr/bin/env python3
"""Writes a KeePass 2 XML database of N entries for the import benchmark (scripts/bench.sh):
60 % logins (user, password, URL), 20 % API keys (password only), 10 % logins with an
otpauth:// `otp` attribute, 10 % entries with a protected custom key field; in 20 groups
of 5 folders. An entry CustomData item makes `keepassxc-cli import` write KDBX 4.

    python3 scripts/make-keepass-xml.py 10000 out.xml
"""
import base64
import sys
from xml.sax.saxutils import escape


def uuid(n):
    return base64.b64encode(n.to_bytes(16, "big")).decode()


def s(key, value, protect=False):
    attr = ' ProtectInMemory="True"' if protect else ""
    return f"<String><Key>{key}</Key><Value{attr}>{escape(value)}</Value></String>"


def entry(i):
    kind = i % 10
    strings = [s("Title", f"service {i:05d}")]
    if kind < 6 or kind == 8:
        strings += [s("UserName", f"user{i}@example.com"), s("Password", f"pw-{i:05d}-Zx9!q", True),
                    s("URL", f"https://svc{i % 500}.example.com/login")]
    elif kind < 8:
        strings += [s("Password", f"sk_live_{i:08d}abcdefghijklmnopqrstuv", True)]
    else:
        strings += [s("UserName", f"bot{i}"), s("Password", f"bot-pass-{i:05d}", True),
                    s("API Key", f"key_{i:08d}_ABCDEFGHIJKLMNOPQRSTUV", True), s("Env", "prod")]
    if kind == 8:
        seed = base64.b32encode(i.to_bytes(10, "big") + b"keywright!").decode().rstrip("=")
        strings.append(s("otp", f"otpauth://totp/svc{i}:user{i}?secret={seed}&issuer=svc{i}", True))
    strings.append(s("Notes", f"entry {i} notes"))
    custom = "<CustomData><Item><Key>bench</Key><Value>1</Value></Item></CustomData>" if i == 0 else ""
    return f"<Entry><UUID>{uuid(1_000_000 + i)}</UUID>{custom}{''.join(strings)}</Entry>"


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    groups = {}
    for i in range(n):
        groups.setdefault(i % 20, []).append(entry(i))
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<KeePassFile><Meta><Generator>bench</Generator></Meta>',
             f"<Root><Group><UUID>{uuid(1)}</UUID><Name>Root</Name>"]
    for g, entries in groups.items():
        parts.append(f"<Group><UUID>{uuid(100 + g)}</UUID><Name>Folder {g % 5}</Name>"
                     f"<Group><UUID>{uuid(200 + g)}</UUID><Name>Team {g}</Name>{''.join(entries)}</Group></Group>")
    parts.append("</Group></Root></KeePassFile>\n")
    with open(out, "w", encoding="utf-8") as f:
        f.write("".join(parts))


main()
