from workbench.data.text import extract_citations, sentences, strip_citations


def test_sentences_keep_spans_into_the_original_text() -> None:
    text = (
        "## How it works\nCAR T-cell therapy uses T cells [a-1]. "
        "Doctors, e.g. oncologists, give it.\n- A bullet."
    )
    found = sentences(text)
    assert [s.text for s in found] == [
        "How it works",
        "CAR T-cell therapy uses T cells [a-1].",
        "Doctors, e.g. oncologists, give it.",
        "A bullet.",
    ]
    for s in found:
        assert text[s.span.start : s.span.end] == s.text
    assert found[0].line_prefix == "##" and found[3].line_prefix == "-"


def test_decimal_numbers_do_not_end_a_sentence() -> None:
    assert len(sentences("A fever of 100.4 °F is a warning sign. Call your team.")) == 2


def test_citations_are_found_in_order_without_repeats_and_links_are_not_citations() -> None:
    text = "One [b-2]. Two [a-1, b-2]. See [NCI](https://cancer.gov)."
    assert extract_citations(text) == ["b-2", "a-1"]
    assert strip_citations("Fact one [b-2].") == "Fact one."


def test_the_stemmer_in_use_gives_the_pure_python_snowball_stems() -> None:
    from snowballstemmer.english_stemmer import EnglishStemmer

    from workbench.data.text import STOP_WORDS, stem, words

    reference = EnglishStemmer()
    text = (
        "Metastatic tumours were treated; the patients' relapsing, generously dosed "
        "immunotherapies hopefully succeeded. Radiating, radiation, radiologists, "
        "lymphocytic leukaemias, hospitalisation, nauseous, fatigued, bruising."
    )
    vocabulary = sorted(set(words(text)) | STOP_WORDS)
    assert [stem(w) for w in vocabulary] == [reference.stemWord(w) for w in vocabulary]
