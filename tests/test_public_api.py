import workbench


def test_everything_in_all_is_importable_and_documented() -> None:
    for name in workbench.__all__:
        obj = getattr(workbench, name)
        assert obj.__doc__, name


def test_import_documents_is_public_and_returns_the_excerpts(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "note.md").write_text("# Note\n\n## Diet\n\nEating well helps during treatment.\n")
    result = workbench.import_documents([folder / "note.md"])
    assert isinstance(result, workbench.ImportResult)
    assert [type(e) for e in result.excerpts] == [workbench.Excerpt]
    assert issubclass(workbench.DocumentError, workbench.DatasetError)
