from __future__ import annotations

from jupyter_orch.tools.python import Docstring, parse_docstring


def test_numpy_docstring_gives_description_and_parameters() -> None:
    doc = """Summarise a table.

    Works on any DataFrame.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table,
        any size.
    x, y : int, optional
        Two coordinates.
    *columns
        Columns to keep.
    **options : str
        Passed on.

    Returns
    -------
    str
        Not a parameter.

    Examples
    --------
    >>> summarise(df)
    """

    assert parse_docstring(doc) == Docstring(
        description="Summarise a table.\n\nWorks on any DataFrame.",
        params={
            "frame": "The table, any size.",
            "x": "Two coordinates.",
            "y": "Two coordinates.",
            "columns": "Columns to keep.",
            "options": "Passed on.",
        },
    )


def test_google_docstring_gives_description_and_parameters() -> None:
    doc = """Fetch rows.

    Newest first.

    Args:
        table (str): The table
            to read.
        limit: At most this many.
        *names: Column names.

    Returns:
        rows: not a parameter.

    Raises:
        KeyError: not a parameter either.
    """

    assert parse_docstring(doc) == Docstring(
        description="Fetch rows.\n\nNewest first.",
        params={
            "table": "The table to read.",
            "limit": "At most this many.",
            "names": "Column names.",
        },
    )


def test_rest_fields_give_parameters() -> None:
    doc = """Add two numbers.

    :param a: The first,
        an int.
    :param int b: The second.
    :returns: The sum.
    """

    assert parse_docstring(doc) == Docstring(
        description="Add two numbers.", params={"a": "The first, an int.", "b": "The second."}
    )


def test_a_docstring_without_sections_is_all_description() -> None:
    doc = """Line one.

    Line two: with a colon.
    """

    assert parse_docstring(doc) == Docstring(description="Line one.\n\nLine two: with a colon.")


def test_no_docstring_gives_an_empty_one() -> None:
    assert parse_docstring(None) == Docstring()
    assert parse_docstring("   ") == Docstring()
