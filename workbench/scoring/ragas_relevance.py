"""ragas' response relevancy through an OpenAI-compatible endpoint: `score --judge ragas`.

ragas asks the judge model for a question the answer would answer (three times, each
its own cache key: `repeat` 0, 1, 2, since the three requests are the same text), embeds
the original question and the generated ones through the endpoint's embeddings API
(`/v1/embeddings`, model `$WORKBENCH_EMBEDDING_MODEL`, default text-embedding-3-small),
and scores the mean cosine, 0 when every reply calls the answer noncommittal. ragas
makes no decision of its own, so this relevance never flags; the offline judge's
decision stands beside it. An endpoint without embeddings, or any failed call, is a
value (score None and why), never a crash.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
from ragas.metrics.collections.answer_relevancy.util import (
    AnswerRelevanceInput,
    AnswerRelevanceOutput,
    AnswerRelevancePrompt,
)

from workbench.errors import EndpointError
from workbench.llm.calls import LLMClient
from workbench.models import Relevance
from workbench.scoring.ragas_llm import RAGAS_MAX_TOKENS, WorkbenchRagasLLM

__all__ = ["EMBEDDING_ENV", "RAGAS_STRICTNESS", "RagasRelevance"]

EMBEDDING_ENV = "WORKBENCH_EMBEDDING_MODEL"
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
RAGAS_STRICTNESS = 3  # ragas' own default number of generated questions


class RagasRelevance:
    """ragas' response relevancy of an answer to its question, through `client`."""

    def __init__(
        self,
        client: LLMClient,
        *,
        max_tokens: int = RAGAS_MAX_TOKENS,
        strictness: int = RAGAS_STRICTNESS,
        embedding_model: str | None = None,
    ) -> None:
        self.client = client
        self.llms = [
            WorkbenchRagasLLM(client, max_tokens=max_tokens, repeat=n) for n in range(strictness)
        ]
        self.embedding_model = (
            embedding_model or os.environ.get(EMBEDDING_ENV, "").strip() or DEFAULT_EMBEDDING_MODEL
        )
        self.name = f"ragas-relevancy:{client.settings.model}"
        self._prompt = AnswerRelevancePrompt()

    async def ajudge(self, question: str, answer: str) -> Relevance:
        """The relevancy score, or None with the reason the endpoint could not give it."""
        if not question.strip() or not answer.strip():
            return Relevance(
                None, False, "nothing to judge: the question or answer is empty", self.name
            )
        prompt = self._prompt.to_string(AnswerRelevanceInput(response=answer))
        try:
            outs = [await llm.agenerate(prompt, AnswerRelevanceOutput) for llm in self.llms]
            asked = [o.question for o in outs if o.question.strip()]
            if not asked:
                return Relevance(
                    0.0, False, "ragas found no question this answer answers", self.name
                )
            embed = getattr(self.client.transport, "embed", None)
            if embed is None:
                raise EndpointError(f"{self.client.transport!r} offers no embeddings")
            vectors = await embed(self.embedding_model, [question, *asked])
        except EndpointError as exc:
            return Relevance(None, False, f"ragas response relevancy failed: {exc}", self.name)
        score = _mean_cosine(vectors[0], vectors[1:])
        if all(o.noncommittal for o in outs):
            return Relevance(0.0, False, "ragas: the answer is noncommittal", self.name)
        said = "; ".join(asked[:2])
        return Relevance(round(score, 4), False, f"ragas: the answer answers {said!r}", self.name)


def _mean_cosine(q: Sequence[float], others: Sequence[Sequence[float]]) -> float:
    qv = np.asarray(q, dtype=np.float64)
    ov = np.asarray(others, dtype=np.float64)
    norms = np.linalg.norm(ov, axis=1) * np.linalg.norm(qv)
    return float(np.mean((ov @ qv) / np.where(norms == 0, 1.0, norms)))
