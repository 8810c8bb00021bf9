"""`misdelivery-guard rules check|replay`: see what rules will do before they do it."""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path


def add_parsers(sub) -> None:
    rules = sub.add_parser("rules", help="validate rule files, replay drafts over recent traffic")
    rules_sub = rules.add_subparsers(dest="rules_command")
    check = rules_sub.add_parser("check", help="validate rule files and list the effective rules")
    check.add_argument(
        "files", nargs="*", type=Path, help="local rule files (default: the configuration's `rules:`)"
    )
    check.add_argument("--config")
    check.set_defaults(run=check_rules)
    rep = rules_sub.add_parser("replay", help="how a draft would have changed recent verdicts")
    rep.add_argument("--since", default="7d", help="how far back, e.g. 24h or 7d (default 7d)")
    rep.add_argument(
        "--rules",
        type=Path,
        action="append",
        default=None,
        dest="draft",
        help="draft rule file(s) replacing the configured local files "
        "(default: the configured files as they are now)",
    )
    rep.add_argument("--config")
    rep.set_defaults(run=replay_rules)


def check_rules(args: argparse.Namespace) -> int:
    # Imported per command, not with the module: the command line is built for every command.
    from rules import load_rules

    from .settings import load_settings, rule_groups, rule_organization

    settings = load_settings(args.config)
    files = args.files or list(settings.rules)
    ruleset = load_rules(files, rule_groups(settings), rule_organization(settings))
    print(f"{'id':34} {'mode':8} {'action':18} source")
    for rule in ruleset.rules:
        mode = rule.mode if rule.enabled else "off"
        print(f"{rule.id:34} {mode:8} {rule.action:18} {rule.source}")
    for d in ruleset.dictionaries:  # issue 17: what keyword.<id> each rule may name
        words = f"{len(d.words)} words, {len(d.patterns)} patterns, near {d.near}"
        print(f"{'keyword.' + d.id:34} {'on' if d.enabled else 'off':8} {words}")
    print(
        f"ok: {len(ruleset.active)} active rules and {len(ruleset.active_dictionaries)} keyword dictionaries"
        " from rules/defaults.yaml, rules/dictionaries.yaml" + "".join(f", {f}" for f in files)
    )
    return 0


def replay_rules(args: argparse.Namespace) -> int:
    from rules import load_rules
    from rules.replay import replay

    from .endpoints import parse_duration
    from .settings import load_settings, rule_groups, rule_organization

    since = time.time() - parse_duration(args.since, "--since")
    settings = load_settings(args.config)
    groups, org = rule_groups(settings), rule_organization(settings)
    current = load_rules(settings.rules, groups, org)
    draft = load_rules(args.draft if args.draft is not None else settings.rules, groups, org)
    records = asyncio.run(_recorded(settings.storage, since))
    report = replay(((r.facts, r.findings) for r in records), current, draft)
    print(f"since {time.strftime('%Y-%m-%d %H:%M', time.localtime(since))}")
    print("\n".join(report.lines()))
    return 0


async def _recorded(storage: str, since: float):
    from quarantine.decisions import DecisionLog
    from quarantine.store import Store

    store = await Store.open(storage)
    try:
        return await DecisionLog(store.engine).since(since)
    finally:
        await store.close()
