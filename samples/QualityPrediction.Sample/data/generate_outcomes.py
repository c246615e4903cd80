#!/usr/bin/env python3
"""Writes outcomes.jsonl: SYNTHETIC game-narration outcomes with known structure (see README.md).

Deterministic: the same seed always gives the same file. Run from this folder:  python3 generate_outcomes.py
"""
import json
import random

SEED = 20261129
NOISE_SD = 6.0

# (provider, model, true mean quality, rows)
MODELS = [
    ("openai", "gpt-4o-mini", 68.0, 90),
    ("openai", "gpt-4o", 78.0, 90),
    ("anthropic", "claude-3-5-haiku", 72.0, 80),
    ("anthropic", "claude-sonnet-4", 84.0, 80),
    ("google", "gemini-2.0-flash", 70.0, 90),
    ("mistral", "mistral-small", 62.0, 12),  # few rows: its baseline is shrunk toward the provider/global mean
]
ACTION_EFFECT = {"combat": 3.0, "dialogue": -2.0, "exploration": 0.0, "puzzle": -4.0}
ROLL_EFFECT = {"critical-success": 4.0, "success": 1.0, "failure": -2.0, "critical-failure": -5.0}
SCENARIOS = ["crypt-of-ash", "harbor-heist", "sky-duel", "fae-court"]
STATS = ["might", "wits", "grace", "charm"]


def main() -> None:
    rng = random.Random(SEED)
    rows = []
    for provider, model, mean, count in MODELS:
        for _ in range(count):
            action = rng.choice(list(ACTION_EFFECT))
            roll = rng.choice(list(ROLL_EFFECT))
            stat_value = rng.randint(1, 20)
            prompt_tokens = rng.randint(300, 3000)
            quality = (mean + ACTION_EFFECT[action] + ROLL_EFFECT[roll]
                       + 0.3 * (stat_value - 10) - 0.001 * (prompt_tokens - 1200)
                       + rng.gauss(0.0, NOISE_SD))
            rows.append({
                "provider": provider,
                "model": model,
                "actionType": action,
                "scenarioId": rng.choice(SCENARIOS),
                "rollType": roll,
                "statName": rng.choice(STATS),
                "statValue": stat_value,
                "promptTokens": prompt_tokens,
                "quality": round(min(100.0, max(0.0, quality)), 1),
            })
    rng.shuffle(rows)
    with open("outcomes.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":")) + "\n")
    print(f"wrote {len(rows)} rows to outcomes.jsonl")


if __name__ == "__main__":
    main()
