import workbench


def test_everything_in_all_is_importable_and_documented() -> None:
    for name in workbench.__all__:
        obj = getattr(workbench, name)
        assert obj.__doc__, name
