"""Does the offline composer answer the question? The demo's relevance before and after.

For each shipped prompt version it composes an answer to every demo question twice:
with `answer_first: false` (the choices of `extractive-composer-1`, by the question's
words alone: "before") and as the composer does by default (`extractive-composer-2`,
the relevance judge choosing and ordering the sentences: "after"). It prints the mean
relevance, how many answers the judge flags as not answering the question, faithfulness
by the offline judge (every sentence is still lifted from an excerpt), the answers with
a fail-severity safety finding, the mean reading grade, and the time per answer
(composing and judging).

    .venv/bin/python benchmarks/composer_relevance.py [--show q-breast-05]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from workbench.data.datasets import load_corpus
from workbench.generation.offline import OfflineComposer
from workbench.generation.retrieval import retriever_for
from workbench.models import Severity
from workbench.scoring.faithfulness import OfflineJudge
from workbench.scoring.readability import readability
from workbench.scoring.relevance import judge_relevance
from workbench.scoring.safety import check_safety, load_rules


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", metavar="QUESTION_ID", help="print both answers to it")
    args = parser.parse_args()
    corpus = load_corpus()
    retriever = retriever_for(corpus.excerpts.values())
    composer, judge, rules = OfflineComposer(), OfflineJudge(), load_rules()
    for key in sorted(corpus.prompts):
        shipped = corpus.prompts[key]
        before = dataclasses.replace(
            shipped, parameters={**shipped.parameters, "answer_first": False}
        )
        for name, prompt in (("before", before), ("after", shipped)):
            scores, flags, faith, grades, fails = [], [], [], [], []
            started = time.perf_counter()
            for q in corpus.questions:
                excerpts = [r.excerpt for r in retriever.retrieve(q)]
                text = composer.generate(q, excerpts, prompt).text
                rel = judge_relevance(q.text, text)
                scores.append(rel.score or 0.0)
                flags.append(rel.flagged)
                faith.append(judge.judge(text, excerpts).score or 0.0)
                grades.append(readability(text).fk_grade or 0.0)
                found = check_safety(text, cancer_type=q.cancer_type, question=q.text, rules=rules)
                fails.append(any(f.severity is Severity.FAIL for f in found))
                if args.show == q.id:
                    print(f"--- {key} {name} ({rel.score}: {rel.reason})\n{text}")
            took = (time.perf_counter() - started) / len(corpus.questions)
            print(
                f"{key:18s} {name:7s} relevance {statistics.mean(scores):.3f}  "
                f"not answering {sum(flags)}/{len(flags)}  faithfulness "
                f"{statistics.mean(faith):.3f}  safety fail {sum(fails)}/{len(fails)}  "
                f"FK grade {statistics.mean(grades):.2f}  "
                f"({took * 1000:.0f} ms per answer)"
            )


if __name__ == "__main__":
    main()
