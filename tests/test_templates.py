"""Templates as reviewed files: discovery, dialects, the link to the views, the cache, bad input, outputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secreview import lang
from secreview.lang.templates.discovery import configured_template_dirs, is_template_path
from secreview.lang.templates.expressions import DJANGO, JINJA2, MAKO, TORNADO, dialect_from_syntax
from secreview.lang.templates.file import TemplateFile
from secreview.lang.templates.html_context import HtmlContext, HtmlContexts
from secreview.lang.templates.syntax import JINJA_VERBATIM, lex_curly
from secreview.sources import ReadOptions, collect
from workflow import new_repo, secreview, write

FLASK_VIEW = '''from flask import Flask, render_template, request

app = Flask(__name__)


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    return render_template("hello.html", name=name, title="Hi")
'''
FLASK_CONSTANT_VIEW = FLASK_VIEW.replace('name=name', 'name="friend"')
HELLO = "<h1>{{ title|safe }}</h1>\n<p>{{ name|safe }}</p>\n"

DJANGO_VIEW = '''from django.shortcuts import get_object_or_404, render

from .models import Post


def detail(request, pk):
    post = get_object_or_404(Post, pk=pk)
    return render(request, "blog/detail.html", {"post": post})
'''
DETAIL = "{% load static %}\n<h1>{{ post.title|safe }}</h1>\n<p>{{ post.body }}</p>\n"


def _findings(run) -> list[tuple[str, int, str, str]]:
    return [(Path(f["location"]["path"]).name, f["location"]["start_line"], f["rule_id"], f["evidence"])
            for f in run.json["findings"]]


# -- discovery ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "template"), [
    ("app/templates/index.html", True), ("app/templates/mail/body.txt", True), ("page.j2", True),
    ("x/layout.jinja2", True), ("app/static/index.html", False), ("app/templates/logo.png", False),
    ("app/templates/views.py", False),
])
def test_a_template_is_known_by_its_folder_or_its_own_extension(path: str, template: bool) -> None:
    assert is_template_path(path) is template
    assert (lang.language_for_path(path) == "template") is template


def test_template_folders_configured_in_python_are_found(tmp_path: Path) -> None:
    text = ('app = Flask(__name__, template_folder="views")\n'
            'env = Environment(loader=FileSystemLoader(["pages", "mail"]))\n'
            "TEMPLATES = [{'DIRS': [os.path.join(BASE_DIR, 'site_templates')]}]\n")
    found = configured_template_dirs(str(tmp_path / "app.py"), text)
    assert found == {str(tmp_path / name) for name in ("views", "pages", "mail", "site_templates")}


def test_a_walk_reads_templates_of_template_folders_and_configured_ones(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": 'app = Flask(__name__, template_folder="views")\n',
                     "views/index.html": "<p>{{ x }}</p>\n", "templates/base.html": "<p>{{ y }}</p>\n",
                     "static/page.html": "<p>static</p>\n", "README.txt": "read me\n"})
    collected = collect([str(tmp_path)], ReadOptions())
    languages = {Path(s.path).relative_to(tmp_path).as_posix(): s.language for s in collected.sources}
    assert languages == {"app.py": "python", "views/index.html": "template", "templates/base.html": "template"}
    assert any("2 file(s)" in note and "not in a reviewed language" in note for note in collected.notes)


# -- dialects and parsing ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "dialect"), [
    ("{% load static %}<p>{{ x|date:'Y' }}</p>", DJANGO), ("{% set a = 1 %}{{ a }}", JINJA2),
    ("<%inherit file='base.mako'/>${x}", MAKO), ("{% if x %}{{ x }}{% end %}", TORNADO), ("<p>{{ x }}</p>", JINJA2),
])
def test_the_dialect_falls_back_on_the_templates_own_syntax(text: str, dialect: str) -> None:
    assert dialect_from_syntax(text) == dialect


def test_outputs_have_their_template_line_and_column() -> None:
    file = TemplateFile("templates/x.html", "<p>é</p>\n  <b>{{ name|safe }}</b>\n")
    [output] = file.outputs
    span = file.span_of(output.tag)
    assert (span.start_point.row, file.text_of(span)) == (1, "{{ name|safe }}")
    assert output.variable == "name" and output.unescaped_by == "`|safe`"


def test_html_contexts_of_outputs() -> None:
    text = ('<a href="{{ a }}" title={{ b }} onclick="f(\'{{ c }}\')">{{ d }}</a>'
            '<script>var x = {{ e }};</script><div {{ f }}></div>')
    lexed = lex_curly(text, JINJA_VERBATIM)
    contexts = HtmlContexts(text, lexed.tags)
    seen = {tag.inner: contexts.at(tag.start) for tag in lexed.tags}
    assert (seen["a"].attribute, seen["a"].value_before) == ("href", "")
    assert (seen["b"].attribute, seen["b"].quote) == ("title", "")
    assert seen["c"].attribute == "onclick" and seen["d"] == HtmlContext()
    assert seen["e"].element == "script" and seen["f"].in_tag


# -- the views: evidence and the default profile -------------------------------------------------------

def test_request_data_passed_by_a_flask_view_makes_a_dataflow_finding(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"app.py": FLASK_VIEW, "templates/hello.html": HELLO})
    run = secreview(tmp_path, ".", "--no-cache", "-f", "json", capsys=capsys, monkeypatch=monkeypatch,
                    profile="default")
    assert _findings(run) == [("hello.html", 2, "template-escaping-disabled", "dataflow")]
    description = run.json["findings"][0]["description"]
    assert "app.py:9" in description and "request data" in description


def test_a_constant_passed_by_every_view_is_not_reported(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"app.py": FLASK_CONSTANT_VIEW, "templates/hello.html": HELLO})
    run = secreview(tmp_path, ".", "--no-cache", "-f", "json", capsys=capsys, monkeypatch=monkeypatch)
    assert [f for f in _findings(run) if f[2].startswith("template")] == []


def test_a_stored_record_shown_unescaped_is_definite(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"blog/views.py": DJANGO_VIEW, "blog/templates/blog/detail.html": DETAIL})
    run = secreview(tmp_path, ".", "--no-cache", "-f", "json", capsys=capsys, monkeypatch=monkeypatch,
                    profile="default")
    assert _findings(run) == [("detail.html", 2, "template-escaping-disabled", "definite")]
    assert "get_object_or_404(Post, pk=pk)" in run.json["findings"][0]["description"]


def test_without_a_view_a_template_finding_is_audit_only(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"templates/hello.html": HELLO})
    default = secreview(tmp_path, ".", "--no-cache", "-f", "json", capsys=capsys, monkeypatch=monkeypatch,
                        profile="default")
    audit = secreview(tmp_path, ".", "--no-cache", "-f", "json", capsys=capsys, monkeypatch=monkeypatch)
    assert default.json["findings"] == []
    assert {(f[0], f[1]) for f in _findings(audit)} == {("hello.html", 1), ("hello.html", 2)}


def test_a_cached_template_result_is_invalidated_when_its_view_changes(tmp_path: Path, capsys,
                                                                       monkeypatch) -> None:
    write(tmp_path, {"app.py": FLASK_CONSTANT_VIEW, "templates/hello.html": HELLO})
    options = (".", "--cache-dir", str(tmp_path / "cache"), "-f", "json")
    first = secreview(tmp_path, *options, capsys=capsys, monkeypatch=monkeypatch,
                    profile="default")
    assert first.json["findings"] == []
    write(tmp_path, {"app.py": FLASK_VIEW})
    cached = secreview(tmp_path, *options, capsys=capsys, monkeypatch=monkeypatch,
                    profile="default")
    assert _findings(cached) == [("hello.html", 2, "template-escaping-disabled", "dataflow")]


# -- bad input and outputs -------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "kind"), [
    (b"<p>{{ name|safe }\n", "parse-errors"),
    (b"{% if x %}<p>{{ x|safe }}</p>\n", "parse-errors"),
    (b"<p>\xff\xfe{{ x }}</p>\n", "undecodable"),
])
def test_a_broken_template_is_a_problem_of_that_file_not_a_crash(tmp_path: Path, capsys, monkeypatch,
                                                                  content: bytes, kind: str) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.html").write_bytes(content)
    run = secreview(tmp_path, ".", "--no-cache", "-f", "json", capsys=capsys, monkeypatch=monkeypatch)
    assert [(Path(e["path"]).name, e["kind"]) for e in run.json["errors"]] == [("broken.html", kind)]
    assert not any(e["kind"] == "internal-error" for e in run.json["errors"])


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "markdown", "github"])
def test_template_findings_appear_in_every_format_with_the_template_line(tmp_path: Path, capsys, monkeypatch,
                                                                         output_format: str) -> None:
    write(tmp_path, {"app.py": FLASK_VIEW, "templates/hello.html": HELLO})
    run = secreview(tmp_path, ".", "--no-cache", "-f", output_format, capsys=capsys, monkeypatch=monkeypatch,
                    profile="default")
    if output_format == "sarif":
        [result] = json.loads(run.stdout)["runs"][0]["results"]
        region = result["locations"][0]["physicalLocation"]
        assert region["artifactLocation"]["uri"].endswith("templates/hello.html")
        assert region["region"]["startLine"] == 2
    else:
        assert "hello.html" in run.stdout and ("hello.html:2" in run.stdout or "line=2" in run.stdout
                                               or "hello.html#L2" in run.stdout or '"start_line": 2' in run.stdout)


def test_excluded_templates_are_not_read(tmp_path: Path, capsys, monkeypatch) -> None:
    write(tmp_path, {"app.py": FLASK_VIEW, "templates/hello.html": HELLO})
    run = secreview(tmp_path, ".", "--no-cache", "-f", "json", "--exclude", "templates/", capsys=capsys,
                    monkeypatch=monkeypatch)
    assert run.json["findings"] == []


def test_a_suppression_comment_in_a_template_is_honoured(tmp_path: Path, capsys, monkeypatch) -> None:
    suppressed = HELLO.replace("</p>", "</p> {# secreview: ignore[template-escaping-disabled] trusted #}")
    write(tmp_path, {"app.py": FLASK_VIEW, "templates/hello.html": suppressed})
    run = secreview(tmp_path, ".", "--no-cache", "-f", "json", capsys=capsys, monkeypatch=monkeypatch,
                    profile="default")
    assert run.json["findings"] == []


@pytest.mark.parametrize(("path", "markup"), [
    ("templates/page.html", True), ("page.html.j2", True), ("page.j2", True), ("db/script.py.mako", False),
    ("templates/haproxy.cfg.j2", False), ("templates/mail/welcome.txt", False),
])
def test_template_rules_review_only_templates_of_markup(path: str, markup: bool) -> None:
    assert TemplateFile(path, "").renders_markup is markup


def test_a_diff_reviews_the_changed_lines_of_a_template_with_its_unchanged_view(tmp_path: Path, capsys,
                                                                               monkeypatch) -> None:
    old = "<p>{{ name|safe }}</p>\n"
    repo = new_repo(tmp_path / "repo", {"app.py": FLASK_VIEW, "templates/hello.html": old})
    write(repo, {"templates/hello.html": old + "<p>ok</p>\n<b>{{ name|safe }}</b>\n"})
    run = secreview(repo, "--diff", "-f", "json", "--no-cache", capsys=capsys, monkeypatch=monkeypatch,
                    profile="default")
    assert _findings(run) == [("hello.html", 3, "template-escaping-disabled", "dataflow")]
