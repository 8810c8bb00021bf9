"""decide(): findings + facts + rules -> Decision. Pure and deterministic (DESIGN.md step 4).

The modifiers decide the rest on the message as it will be sent. bcc_convert: visible
external recipients are no longer visible. link_attachments (issue 19, 脱PPAP): a file the
links really take out of the external copy no longer travels attached, so what only that file
carries stops counting — an encrypted archive (PPAP), personal data or a keyword in it. Only
the files named in `linked` (the names quarantine/link_mime.split took from the actual bytes;
proxy/judge.py computes them): a part the split keeps (a signature's picture), or one beyond
its limits, still leaves attached and keeps its findings. And a link answers how a file
travels, not to whom or whether the guard could read it: the wrong client's document
(client.mismatch), a file that could not be read or identified (attachment.unscannable,
.unsupported, .type_mismatch) and an inspector's failure (inspector.error) keep counting.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from fnmatch import translate

from inspectors.base import Finding, domain_of, is_within
from inspectors.codes import (
    CLIENT_MISMATCH,
    INSPECTOR_ERROR,
    TYPE_MISMATCH,
    UNSCANNABLE,
    UNSUPPORTED,
    VISIBLE_EXTERNAL,
)

from .model import (
    MODIFIERS,
    Action,
    AllOf,
    AnyOf,
    CodeCondition,
    Condition,
    Decision,
    LinkTerms,
    MatchedRule,
    MessageFacts,
    Mode,
    Not,
    Rule,
    RuleSet,
    Scope,
    strictness,
)
from .supervisor_bcc import added_bcc


def decide(
    findings: Iterable[Finding],
    facts: MessageFacts,
    rules: RuleSet,
    *,
    also: tuple[Action, ...] = (),
    linked: frozenset[str] | None = None,
) -> Decision:
    """`also`: modifiers the sender chose (the hold page's fix), counted as enforced rewrites.
    `linked`: the names of the attachments the links take out of the external copy; None
    (not split yet) drops no finding for the links: the caller that sees link_attachments in
    the rewrites splits the message and decides again with the names."""
    findings = tuple(findings)
    matched = [m for _, m in explain(findings, facts, rules) if m is not None]
    enforced = [m for m in matched if m.mode == Mode.ENFORCE and m.action in MODIFIERS]
    rewrites = tuple(dict.fromkeys([*(m.action for m in enforced), *(a for a in also if a in MODIFIERS)]))
    if rewrites:
        # The other rules decide on the message as it will be sent: visible external recipients
        # moved to Bcc are no longer visible; attachments sent as links are no longer attached.
        after = tuple(f for f in findings if not _rewritten_away(f, rewrites, linked))
        modifying = [m for m in matched if m.action in MODIFIERS]
        matched = modifying + [
            m for _, m in explain(after, facts, rules) if m is not None and m.action not in MODIFIERS
        ]
    links = None
    if Action.LINK_ATTACHMENTS in rewrites:
        links = next((m.links for m in enforced if m.action == Action.LINK_ATTACHMENTS), None) or LinkTerms()
    action = Action.PASS
    for m in matched:
        if m.mode == Mode.ENFORCE and m.action not in MODIFIERS and strictness(m.action) > strictness(action):
            action = m.action
    if action == Action.REJECT:
        return Decision(action=action, matched=tuple(matched), rewrites=rewrites, links=links)
    bcc = added_bcc(
        matched,
        facts,
        rules.organization,
        lambda a, name: address_matches(a, rules.group(name), {}),
        rules.org,
    )
    return Decision(action=action, matched=tuple(matched), rewrites=rewrites, add_bcc=bcc, links=links)


def _rewritten_away(finding: Finding, rewrites: tuple[Action, ...], linked: frozenset[str] | None) -> bool:
    """Whether the message as sent no longer carries the finding. Links: only a finding every
    place of which lies in a file the links take; one also in the body, or in a file that
    stays, is still sent."""
    if Action.BCC_CONVERT in rewrites and finding.code == VISIBLE_EXTERNAL:
        return True
    if not linked or Action.LINK_ATTACHMENTS not in rewrites or finding.code in LINKS_DO_NOT_ANSWER:
        return False
    return bool(finding.where) and all(_in_linked(w, linked) for w in finding.where)


# A link changes how a file travels, not who gets it nor what the guard could read of it.
LINKS_DO_NOT_ANSWER = frozenset({CLIENT_MISMATCH, UNSCANNABLE, UNSUPPORTED, TYPE_MISMATCH, INSPECTOR_ERROR})


def _in_linked(where: str, linked: frozenset[str]) -> bool:
    """ "attachment:NAME" or "attachment:NAME!..." (a sheet, an archive's member) of a linked
    NAME, matched as quarantine/sender_fix._carried_by does."""
    if not where.startswith("attachment:"):
        return False
    rest = where[len("attachment:") :]
    return rest in linked or any(rest.startswith(name + "!") for name in linked)


def explain(
    findings: Iterable[Finding], facts: MessageFacts, rules: RuleSet
) -> list[tuple[Rule, MatchedRule | None]]:
    """Every active rule with its match (None when it did not match), in rule order."""
    findings = tuple(findings)
    out = []
    groups = scope_groups(rules)
    for rule in rules.active:
        hits = None
        if in_scope(rule.scope, facts, groups):
            hits = evaluate(rule.when, findings)
        out.append(
            (
                rule,
                None
                if hits is None
                else MatchedRule(
                    id=rule.id,
                    action=rule.action,
                    mode=rule.mode,
                    reason=dict(rule.reason),
                    findings=hits,
                    delay=rule.delay,
                    add_bcc=rule.add_bcc,
                    links=rule.links,
                    approvers=rule.approvers,
                ),
            )
        )
    return out


def evaluate(cond: Condition, findings: tuple[Finding, ...]) -> tuple[Finding, ...] | None:
    """The findings that satisfy `cond`, or None when it does not hold.

    A `not` that holds contributes no findings: there is nothing to show for an absence.
    """
    if isinstance(cond, CodeCondition):
        return tuple(f for f in findings if _matches(cond, f)) or None
    if isinstance(cond, AllOf):
        collected: list[Finding] = []
        for item in cond.items:
            hits = evaluate(item, findings)
            if hits is None:
                return None
            collected.extend(h for h in hits if h not in collected)
        return tuple(collected)
    if isinstance(cond, AnyOf):
        held = [h for h in (evaluate(item, findings) for item in cond.items) if h is not None]
        return tuple(dict.fromkeys(f for hits in held for f in hits)) if held else None
    if isinstance(cond, Not):
        return () if evaluate(cond.item, findings) is None else None
    raise TypeError(f"unknown condition {cond!r}")


def _matches(cond: CodeCondition, finding: Finding) -> bool:
    if not _code_matcher(cond.code)(finding.code):
        return False
    if finding.count < cond.min_count:
        return False
    if cond.max_count is not None and finding.count > cond.max_count:
        return False
    if cond.where is not None and not any(_kind_of(w) == cond.where for w in finding.where):
        return False
    return all(tally(finding, name) >= least for name, least in cond.min_tally)


@functools.lru_cache(maxsize=4096)
def _code_matcher(pattern: str) -> Callable[[str], object]:
    """fnmatchcase(code, pattern) as one call; most conditions name a single code, and
    decide() runs for every message."""
    if not any(c in pattern for c in "*?["):
        return pattern.__eq__
    return re.compile(translate(pattern)).match


def _kind_of(where: str) -> str:
    """ "attachment:a.xlsx!Sheet1!D2" -> attachment; "body!line 3", "body:1.2" -> body;
    "headers!line 1" -> header."""
    kind = where.split("!", 1)[0].split(":", 1)[0]
    return "header" if kind == "headers" else kind


def tally(finding: Finding, name: str) -> int:
    """A count the finding states in its evidence as "name=N" (the first that is one); -1 when
    it states none. The rules and the sender's page (quarantine.explain) both read it here.

    N is 1-9 ASCII digits: a count of what one message holds cannot reach 10**9, and
    `str.isdigit` would let "²" or a 5,000-digit value through to int(), which refuses both:
    a crash in decide(). The sender's page reads no tally another way."""
    prefix = name + "="
    for item in finding.evidence:
        if item.startswith(prefix) and _COUNT.fullmatch(item, len(prefix)):
            return int(item[len(prefix) :])
    return -1


_COUNT = re.compile(r"[0-9]{1,9}")


class _Everyone(str):
    """The entry of a group whose members cannot be known yet: matches every address."""


EVERYONE = _Everyone("group:*")


def scope_groups(rules: RuleSet) -> Mapping[str, tuple[str, ...]]:
    """The groups `group:NAME` names: the configuration's, then the directory's (issue 21); a
    configuration group of the same name wins (rules/book.py logs it).

    Fails closed while a configured directory was never read whole (a new install, a guard
    started while it is down): a group neither the configuration nor the empty copy knows
    holds everybody, so a rule scoped to it holds the mail rather than letting it out
    (rules/book.py logs event=directory_never_synced). After a first good read an unknown
    group matches nobody."""
    return _Groups(rules) if rules.org.groups or rules.org.unread else rules.groups


class _Groups(Mapping[str, tuple[str, ...]]):
    """RuleSet.group as a mapping, without copying a directory's thousands of groups."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules

    def __getitem__(self, name: str) -> tuple[str, ...]:
        found = self.rules.known_group(name)
        if found is not None:
            return found
        if self.rules.org.unread:
            return (EVERYONE,)
        if name in self.rules.groups:
            return ()
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self.rules.groups, *self.rules.org.groups]))

    def __len__(self) -> int:
        return len(set(self.rules.groups) | set(self.rules.org.groups))


def in_scope(scope: Scope, facts: MessageFacts, groups: Mapping[str, tuple[str, ...]]) -> bool:
    if scope.senders and not address_matches(facts.mail_from, scope.senders, groups):
        return False
    return not scope.recipients or any(address_matches(r, scope.recipients, groups) for r in facts.rcpt_tos)


def address_matches(address: str, entries: tuple[str, ...], groups: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether `address` is one of `entries`: an address, "@domain" (subdomains too) or
    "group:NAME" of `groups`."""
    address = address.lower()
    for entry in entries:
        if type(entry) is _Everyone:  # only scope_groups makes one: no rule text can
            return True
        if entry.startswith("group:"):
            if address_matches(address, groups.get(entry[6:], ()), {}):
                return True
        elif entry.startswith("@"):
            if is_within(domain_of(address), (entry[1:].lower(),)):
                return True
        elif address == entry.lower():
            return True
    return False
