"""Turning a prompt template, a question and its excerpts into chat messages.

Instructions live in the system message only. Excerpts are data: each goes into the
user message as an `<excerpt id=...>` element inside the template's `<excerpts>` block,
with `&`, `<` and `>` escaped, so no excerpt (and no question) can close the block or
pose as an instruction outside it. The template's placeholders are filled once, so
braces in an excerpt are never read as placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from workbench.data.answer_format import DISCLAIMER, SECTION_TITLES
from workbench.errors import ConfigError
from workbench.models import Excerpt, PromptTemplate, Question

__all__ = ["data_block", "escape_data", "render_messages"]


def escape_data(text: str) -> str:
    """Text made inert inside the data block: no tag can be opened or closed by it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return escape_data(text).replace('"', "&quot;")


def data_block(excerpts: Sequence[Excerpt]) -> str:
    """The excerpts as delimited, escaped data elements, best first."""
    return "\n".join(
        f'<excerpt id="{_attr(e.id)}" source="{_attr(e.source_title)}" '
        f'section="{_attr(e.section)}" date="{e.date.isoformat()}">\n'
        f"{escape_data(e.text)}\n</excerpt>"
        for e in excerpts
    )


def _fill(template: str, values: Mapping[str, Any], prompt: PromptTemplate, part: str) -> str:
    try:
        return template.format_map(values)
    except KeyError as exc:
        raise ConfigError(
            f"prompt {prompt.key}: the {part} text uses {{{exc.args[0]}}}, which is not one of "
            f"{sorted(values)}"
        ) from exc
    except (ValueError, IndexError) as exc:
        raise ConfigError(
            f"prompt {prompt.key}: the {part} text is not a valid template ({exc})"
        ) from exc


def render_messages(
    prompt: PromptTemplate, question: Question, excerpts: Sequence[Excerpt]
) -> tuple[tuple[str, str], ...]:
    """(role, content) pairs: the system instructions, then the question and the data."""
    params = prompt.parameters
    sections = list(params.get("sections", list(SECTION_TITLES)))
    unknown = [s for s in sections if s not in SECTION_TITLES]
    if unknown:
        raise ConfigError(f"prompt {prompt.key}: parameters.sections has unknown {unknown}")
    values: dict[str, Any] = {
        **params,
        "section_titles": ", ".join(f'"## {SECTION_TITLES[s]}"' for s in sections),
        "disclaimer": DISCLAIMER,
        "question": escape_data(question.text),
        "cancer_type": question.cancer_type,
        "excerpts": data_block(excerpts),
    }
    return (
        ("system", _fill(prompt.system, values, prompt, "system").strip()),
        ("user", _fill(prompt.user, values, prompt, "user").strip()),
    )
