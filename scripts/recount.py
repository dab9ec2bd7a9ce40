#!/usr/bin/env python3
"""Recount a participatory budget from its published ballot set (standard library only).

Usage: recount.py BALLOTS.json   (or - for standard input)
       where BALLOTS.json is GET /api/v1/participation/processes/{id}/ballots.json

Prints the count as JSON: ballots, votes per project, the funded projects in rank order.
The rule (tie_rule "votes_desc_then_budget_asc_then_number_asc_greedy"): projects ranked by
votes, most first; ties to the cheaper, then to the lower number; funded in rank order while
the budget lasts, skipping one that does not fit what is left. A project with no votes is not
funded.
"""
import json
import sys

RULE = "votes_desc_then_budget_asc_then_number_asc_greedy"


def recount(data):
    if data.get("tie_rule") != RULE:
        raise SystemExit("unknown tie rule: %r" % data.get("tie_rule"))
    projects = {p["id"]: p for p in data["projects"]}
    votes = {pid: 0 for pid in projects}
    seen = set()
    for ballot in data["ballots"]:
        h = ballot["receipt_hash"]
        if h in seen:
            raise SystemExit("a receipt hash appears twice: " + h)
        seen.add(h)
        choices = ballot["choices"]
        if len(set(choices)) != len(choices):
            raise SystemExit("a ballot names a project twice: " + h)
        for c in choices:
            if c not in projects:
                raise SystemExit("a ballot names an unknown project: " + h)
            votes[c] += 1
    ranked = sorted(
        projects.values(),
        key=lambda p: (-votes[p["id"]], p["budget_minor"], p["number"]),
    )
    left = data["budget_minor"]
    funded = []
    for p in ranked:
        if votes[p["id"]] > 0 and p["budget_minor"] <= left:
            left -= p["budget_minor"]
            funded.append(p["id"])
    return {
        "ballots": len(data["ballots"]),
        "votes": votes,
        "ranking": [p["id"] for p in ranked],
        "funded": funded,
    }


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    if sys.argv[1] == "-":
        data = json.load(sys.stdin)
    else:
        with open(sys.argv[1], encoding="utf-8") as f:
            data = json.load(f)
    json.dump(recount(data), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
