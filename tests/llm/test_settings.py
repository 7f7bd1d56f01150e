"""Settings come from the standard variables or options; the key never shows."""

from __future__ import annotations

import pickle

import pytest

from workbench.errors import ConfigError
from workbench.llm import LLMSettings, Secret
from workbench.llm.settings import public_url

ENV = {
    "OPENAI_BASE_URL": "http://127.0.0.1:8000/v1",
    "OPENAI_API_KEY": "sk-live-abcdef",
    "WORKBENCH_MODEL": "llama3.1:8b",
}


def test_settings_come_from_the_standard_variables_and_options_win() -> None:
    s = LLMSettings.from_env(ENV)
    assert (s.base_url, s.model) == ("http://127.0.0.1:8000/v1", "llama3.1:8b")
    assert s.api_key is not None and s.api_key.reveal() == "sk-live-abcdef"
    o = LLMSettings.from_env(ENV, model="gpt-4o-mini", concurrency=3, base_url=None)
    assert (o.model, o.concurrency, o.base_url) == ("gpt-4o-mini", 3, ENV["OPENAI_BASE_URL"])


def test_the_judge_has_its_own_variables_and_falls_back_to_the_generating_ones() -> None:
    assert LLMSettings.from_env(ENV, judge=True).model == "llama3.1:8b"
    env = {**ENV, "WORKBENCH_JUDGE_MODEL": "judge-7b", "WORKBENCH_JUDGE_BASE_URL": "http://j/v1"}
    judge = LLMSettings.from_env(env, judge=True)
    assert (judge.model, judge.base_url) == ("judge-7b", "http://j/v1")
    assert judge.api_key is not None and judge.api_key.reveal() == "sk-live-abcdef"


def test_the_key_is_never_in_repr_str_public_settings_or_a_pickle() -> None:
    s = LLMSettings.from_env(ENV)
    for text in (repr(s), str(s), f"{s}", repr(s.api_key), f"{s.api_key}", str(s.public())):
        assert "sk-live-abcdef" not in text
    with pytest.raises(TypeError):
        pickle.dumps(Secret("sk-live-abcdef"))


def test_credentials_in_a_url_are_not_recorded() -> None:
    s = LLMSettings.from_env({**ENV, "OPENAI_BASE_URL": "https://bob:pw@llm.example/v1?k=s"})
    assert s.public()["endpoint"] == "https://llm.example/v1"
    assert public_url("http://127.0.0.1:11434/v1") == "http://127.0.0.1:11434/v1"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"OPENAI_API_KEY": "k"}, "WORKBENCH_MODEL"),
        ({"WORKBENCH_MODEL": "gpt-4o"}, "OPENAI_API_KEY"),
        ({**ENV, "OPENAI_BASE_URL": "ftp://x"}, "http"),
    ],
)
def test_missing_or_wrong_settings_say_what_to_set(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        LLMSettings.from_env(env)


def test_a_local_server_needs_no_key() -> None:
    s = LLMSettings.from_env(
        {"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1", "WORKBENCH_MODEL": "m"}
    )
    assert s.api_key is not None and s.api_key.reveal() == "not-needed"


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ConfigError, match="concurrency"):
        LLMSettings.from_env(ENV, concurrency=0)
