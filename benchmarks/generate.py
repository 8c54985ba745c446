"""A deterministic synthetic feed in the Hugging Face Daily Papers plain-text format.

Search cost depends on what the text looks like, so the feed imitates real abstracts: English
function words and ML vocabulary (so `COMMON_WORD` is in about half the papers) mixed with a few
thousand generated pseudo-words drawn with Zipf-like weights (so most words are rare), numbers,
acronyms and commas. ~25% of abstracts end with a GitHub link; ~20 days per 1,000 papers, each day
with its own page chrome. Day lines carry the year (`Mar 12, 2024`) so the parsed dates do not
depend on the day the benchmark runs.

    python -m benchmarks.generate 10000 > feed.txt
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
from itertools import accumulate

from benchmarks import COMMON_WORD, RARE_WORD, SEED

CHROME = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\n"
    "byAK and the research community\n\n"
)
GITHUB_SHARE = 0.25
RARE_EVERY = 1000  # the rare word is in exactly one paper in 1,000
PAPERS_PER_DAY = 50
LAST_DAY = datetime.date(2026, 11, 20)


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION = _words(
    "the of and to in a is that for on with as by we this are be from an which our it at can "
    "these their has have or not both more than such while into over each also its when where "
    "however further then only most between across under without through"
)
ML = _words(
    "model models learning training data dataset datasets network networks neural method methods "
    "approach framework performance results task tasks language vision image images video "
    "generation diffusion transformer attention large small benchmark benchmarks evaluation "
    "reasoning agents agent reinforcement policy reward retrieval knowledge graph graphs "
    "representation representations embedding embeddings token tokens inference latency memory "
    "efficient efficiency robust robustness accuracy state-of-the-art novel propose proposed "
    "demonstrate show experiments experimental significant significantly improve improves "
    "improvement existing prior previous recent challenge challenges problem problems solution "
    "multimodal generative pretrained fine-tuning alignment instruction prompt prompts synthetic "
    "real-world scalable scaling parameters layers loss objective optimization gradient sparse "
    "dense semantic spatial temporal visual textual domain domains downstream zero-shot few-shot "
    "quality human preference feedback planning control robotics simulation physical 3D audio "
    "speech code mathematical theoretical empirical analysis study studies survey baseline "
    "baselines outperforms achieves leverages enables captures reduces increases compared "
    "generalization distribution shift adaptation continual contrastive supervised unsupervised "
    "self-supervised encoder decoder architecture module modules pipeline system systems"
)
TITLE_HEADS = _words(
    "Towards Rethinking Scaling Learning Unifying Revisiting Understanding Improving Efficient "
    "Robust Sparse Adaptive Generalized Hierarchical Contrastive Multimodal Scalable"
)
TITLE_LINKS = _words("for via with in from beyond through under without using")
SYLLABLES = _words(
    "ba be bi bo bu da de di do du fa fe fi fo ga ge go ka ke ki ko ku la le li lo lu ma me mi mo "
    "mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo "
    "za ze zo tran stel vor quin plex morph gra thal cryn"
)


def pseudo_words(rng: random.Random, count: int) -> list[str]:
    """`count` distinct invented words of 2-4 syllables, none containing `RARE_WORD`."""
    words: dict[str, None] = {}
    while len(words) < count:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if RARE_WORD not in word and word not in ML and word not in FUNCTION:
            words.setdefault(word, None)
    return list(words)


class _Vocabulary:
    """Weighted word choice: function words often, ML words sometimes, pseudo-words Zipf-like."""

    def __init__(self, rng: random.Random) -> None:
        self.invented = pseudo_words(rng, 3000)
        words = FUNCTION + ML + self.invented
        weights = (
            [10.0] * len(FUNCTION)
            + [6.0 if w == COMMON_WORD else 3.0 for w in ML]
            + [40.0 / (rank + 1) ** 0.9 for rank in range(len(self.invented))]
        )
        self.words = words
        self.cumulative = list(accumulate(weights))

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)


def _title(rng: random.Random, vocab: _Vocabulary) -> str:
    name = rng.choice(vocab.invented).capitalize() + rng.choice(["", "-2", "Net", "GPT", "X"])
    topic = [w.capitalize() for w in rng.sample(ML, rng.randint(2, 5))]
    tail = [w.capitalize() for w in rng.sample(ML, rng.randint(1, 4))]
    extra = [rng.choice(vocab.invented).capitalize() for _ in range(rng.randint(0, 3))]
    head = rng.choice(TITLE_HEADS)
    title = f"{name}: {head} {' '.join(topic)} {rng.choice(TITLE_LINKS)} {' '.join(tail + extra)}"
    return title[:150].rstrip()


def _abstract(rng: random.Random, vocab: _Vocabulary, index: int) -> str:
    link = ""
    if rng.random() < GITHUB_SHARE:
        owner, repo = rng.choice(vocab.invented), rng.choice(vocab.invented)
        link = f" Code is available at https://github.com/{owner}-lab/{repo}{index}."
    target = rng.randint(900, 1900) - len(link)
    words = vocab.sample(rng, 400)
    if index % RARE_EVERY == RARE_EVERY // 7:
        words.insert(rng.randint(0, 60), RARE_WORD)
    parts: list[str] = []
    length = 0
    sentence_left = 0
    for word in words:
        if sentence_left == 0:
            sentence_left = rng.randint(8, 28)
            word = word.capitalize()
        elif rng.random() < 0.02:
            word = f"{word} ({rng.choice(vocab.invented)[:4].upper()})"
        elif rng.random() < 0.01:
            word = f"{word} {rng.randint(1, 99)}.{rng.randint(0, 9)}%"
        sentence_left -= 1
        word += "." if sentence_left == 0 else ("," if rng.random() < 0.05 else "")
        if length + len(word) + 1 > target and length >= 905 - len(link):
            break
        parts.append(word)
        length += len(word) + 1
    text = " ".join(parts).rstrip(",.") + "."
    return text + link


def _day_line(day: datetime.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def generate(size: int, seed: int = SEED) -> str:
    """The feed text for `size` papers; the same `size` and `seed` always give the same text."""
    rng = random.Random(seed)
    vocab = _Vocabulary(rng)
    seen: set[str] = set()
    out: list[str] = []
    day = LAST_DAY
    left_today = 0
    for index in range(size):
        if left_today == 0:
            out.append(CHROME + _day_line(day) + "\n\n")
            day -= datetime.timedelta(days=1)
            left_today = rng.randint(PAPERS_PER_DAY - 15, PAPERS_PER_DAY + 15)
        title = _title(rng, vocab)
        while len(title) < 40 or title.lower() in seen:
            title = _title(rng, vocab) + " " + rng.choice(vocab.invented).capitalize()
            title = title[:150].rstrip()
        seen.add(title.lower())
        out.append(f"{title}\n\n{_abstract(rng, vocab, index)}\n\n")
        left_today -= 1
    return "".join(out)


def corpus_lines(feed: str) -> list[str]:
    """One `title abstract` line per paper of a generated feed, for the grep/fzf reference rows."""
    blocks = [b for b in feed.split("\n\n") if b]
    lines: list[str] = []
    i = 0
    chrome = {"new", "Get trending papers in your email inbox!", "Subscribe"}
    while i < len(blocks):
        block = blocks[i]
        if block in chrome or block.startswith("byAK") or _is_day(block):
            i += 1
            continue
        lines.append(f"{block} {blocks[i + 1]}")
        i += 2
    return lines


def _is_day(block: str) -> bool:
    try:
        datetime.datetime.strptime(block, "%b %d, %Y")
    except ValueError:
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic Daily Papers feed to stdout.")
    parser.add_argument("size", type=int)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    sys.stdout.write(generate(args.size, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
