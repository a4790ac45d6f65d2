"""Submitting Django admin forms as a browser would: the fields a page's forms carry, and a new
row in an inline."""

from html.parser import HTMLParser


class _FormFields(HTMLParser):
    """The fields a browser would submit from the page's forms (single values only)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = a.get("value") or "on"
            elif kind not in ("submit", "button", "file", "image"):
                self.data[name] = a.get("value") or ""
        elif tag == "select" and name and "multiple" not in a:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea] += (
                data.lstrip("\n") if not self.data[self._textarea] else data
            )


def form_data(response) -> dict[str, str]:
    parser = _FormFields()
    parser.feed(response.content.decode())
    return parser.data


def add_inline_row(data: dict[str, str], prefix: str, **values: str) -> None:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    for key, value in list(data.items()):
        if key.startswith(f"{prefix}-__prefix__-"):
            data[key.replace("__prefix__", str(index))] = value
    for field, value in values.items():
        data[f"{prefix}-{index}-{field}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
