"""Disk image opened with its format auto-detected (`qemu-img` without `-f`).

## What it does
Flags disk-image inspection and conversion that lets QEMU guess the image
format from the file's content:

- `qemu-img` command lines (argument lists given to `execute()`,
  `processutils.execute()`, `subprocess.run()`..., tuples and lists built for
  them, and shell strings) for `info`, `convert`, `check`, `resize`,
  `rebase`, `compare`, `map`, `measure`, `amend`, `commit`, `snapshot`,
  `bench`, `dd` and `bitmap`, with no `-f`/`--format`/`-F`/`--image-opts`
  anywhere in the command or added to it later in the function, and
  `qemu-img create -b <backing>` without `-F`;
- calls of a `qemu_img_info()` wrapper without a `format=`/`fmt=`-style
  argument (or with `None`), unless the wrapper is defined in the reviewed
  code and inspects the format itself (a format inspector), or is a method
  (`self._qemu_img_info(...)`) or a function defined in the same file (its
  own `qemu-img` call is judged where it is defined);
- `convert_image_unsafe()` and `convert_image(src, dst, None, ...)`.

## Why is this bad?
Without an explicit format, `qemu-img` probes the file's header. A guest or
a user who controls the image's bytes can write a raw disk whose first
sector looks like a qcow2 (or vmdk) header with a *backing file* or an
external data file pointing at any host path (`/etc/shadow`, another
tenant's disk, a host device). The host then reads that file as part of the
image: `info` leaks its size and metadata, `convert` copies its content into
an image the attacker downloads, and writes can even land in it. The same
ambiguity lets a user upload a "raw" image that is really something else.
This is the class of OpenStack vulnerabilities OSSA-2015-014/CVE-2015-5162,
CVE-2022-47951 and CVE-2024-32498.

## Example
```python
from oslo_concurrency import processutils

def virtual_size(path):
    out, _ = processutils.execute("qemu-img", "info", "--output=json", path)
    return out
```

## Use instead
```python
from oslo_concurrency import processutils

def virtual_size(path, disk_format):
    out, _ = processutils.execute("qemu-img", "info", "-f", disk_format, "--output=json", path)
    return out
```

## References
- https://cwe.mitre.org/data/definitions/436.html
- https://security.openstack.org/ossa/OSSA-2024-001.html
- https://www.qemu.org/docs/master/tools/qemu-img.html
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Iterator

import tree_sitter as ts

from secreview.lang.python.file import Call, NOT_CONSTANT, PyFile
from secreview.lang.python.scopes import function_of
from secreview.model import Confidence, Severity
from secreview.rules import Hit, Rule
from secreview.rules import shorten

_PROBING = frozenset({"info", "convert", "check", "resize", "rebase", "compare", "map", "measure", "amend",
                      "commit", "snapshot", "bench", "dd", "bitmap"})
_FORMAT_FLAGS = frozenset({"-f", "--format", "-F", "--image-opts", "--source-format", "--backing-format"})
_FORMAT_KEYWORDS = ("format", "fmt", "img_format", "image_format", "source_format", "src_format", "disk_format",
                    "file_format", "input_format", "in_format")
_SHELL_CALLS = frozenset({"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
                          "commands.getoutput", "commands.getstatusoutput", "subprocess.run", "subprocess.call",
                          "subprocess.check_call", "subprocess.check_output", "subprocess.Popen"})
_INSPECTOR = re.compile(r"format_inspector|get_format_if_safe|detect_file_format|inspect_format|safety_check", re.I)
_QEMU_IMG = re.compile(r"(?:^|/)qemu-img$")


class ImageFormatAutodetected(Rule):
    id = "image-format-autodetected"
    cwe = 436
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    message = "Disk image format left to auto-detection: {code}"
    description = (
        "{what} If the image can be written by a guest or uploaded by a user, its content decides how the host "
        "interprets it: a raw disk whose first bytes look like a qcow2 header with a backing file (or data "
        "file) pointing at a host path such as `/etc/shadow` or another tenant's volume makes the host read "
        "that file as part of the image, leaking or copying its content to the attacker (the OpenStack "
        "CVE-2015-5162 / CVE-2024-32498 class)."
    )
    solution = (
        "{fix} Take the format from trusted metadata (the image record, the format the code itself created), "
        "verify that it matches the content with a format inspector that rejects backing and data files, and "
        "pass it explicitly on every `qemu-img` call."
    )

    def check(self, file: PyFile) -> Iterator[Hit]:
        if "qemu" not in file.text and "convert_image" not in file.text:
            return
        seen: set[int] = set()
        for string in file.nodes_of_type("string"):
            value = file.string_literal_text(string)
            if value is None or "qemu-img" not in value:
                continue
            if _QEMU_IMG.search(value):
                hit = self._argv(file, string)
            elif value.lstrip().startswith("qemu-img "):
                hit = self._shell_string(file, string, value)
            else:
                continue
            if hit is not None and hit.node.id not in seen:
                seen.add(hit.node.id)
                yield hit
        yield from self._wrapper_calls(file)

    # -- argv lists ---------------------------------------------------------------

    def _argv(self, file: PyFile, string: ts.Node) -> Hit | None:
        container = string.parent
        if container is None or container.type not in ("list", "tuple", "argument_list", "expression_list"):
            return None
        items = [c for c in container.named_children if c.type not in ("comment", "keyword_argument")]
        position = next((i for i, item in enumerate(items) if item == string), None)
        if position is None:
            return None
        tokens: list[str | None] = []
        for item in items[position + 1:]:
            if item.type in ("list_splat", "dictionary_splat"):
                return None  # arguments we cannot see may carry the format
            value = file.constant_value(item)
            tokens.append(value if isinstance(value, str) else None)
            if not isinstance(value, str) and re.search(r"fmt|format|opts", file.text_of(item), re.I):
                return None
        report = container.parent if container.type == "argument_list" else container
        return self._judge(file, tokens, report, string, report if report.type == "call" else None)

    def _shell_string(self, file: PyFile, string: ts.Node, value: str) -> Hit | None:
        call_node = file.inside(string, ("call",))
        if call_node is None:
            return None
        call = file.call_at(call_node)
        if call.name not in _SHELL_CALLS and not (call.method == "execute" and "shell" in call.kwargs):
            return None
        try:
            tokens: list[str | None] = list(shlex.split(value))[1:]
        except ValueError:
            tokens = value.split()[1:]
        if any(re.search(r"%\(?\w*(fmt|format)", t or "") for t in tokens):
            return None
        return self._judge(file, tokens, call_node, string, call_node)

    def _judge(self, file: PyFile, tokens: list[str | None], report: ts.Node, anchor: ts.Node,
               call_node: ts.Node | None) -> Hit | None:
        subcommand = next((t for t in tokens if t is None or not t.startswith("-")), None)
        if subcommand is None:
            return None
        constant = [t for t in tokens if t is not None]
        if subcommand == "create":
            backing = "-b" in constant or any("backing_file=" in t for t in constant)
            if not backing or "-F" in constant or any("backing_fmt=" in t for t in constant):
                return None
            what = ("`{0}` creates an image on top of a backing file without `-F`, so QEMU probes the backing "
                    "file's format every time the new image is opened.")
        elif subcommand in _PROBING:
            if any(t in _FORMAT_FLAGS or t.startswith(("--format=", "-f=")) or re.fullmatch(r"-[fF]\w+", t)
                   for t in constant):
                return None
            what = (f"`{{0}}` runs `qemu-img {subcommand}` without `-f`/`--format`, so qemu-img guesses the "
                    "image's format from its content.")
        else:
            return None
        if call_node is None and self._format_added_later(file, anchor):
            return None  # a command list built here may get its format appended further down
        code = shorten(file.text_of(report), 80)
        return Hit(report, {"what": what.format(code),
                            "fix": "Add `-f <format>` (and `-F <backing format>` for backing files) to the command."})

    @staticmethod
    def _format_added_later(file: PyFile, anchor: ts.Node) -> bool:
        """A format flag appears in the same function after the command literal (`cmd += ['-f', fmt]`)."""
        scope = function_of(file, anchor) or file.root
        for string in file.nodes_of_type("string", within=scope):
            if string.start_byte <= anchor.start_byte:
                continue
            value = file.string_literal_text(string)
            if value is not None and (value in _FORMAT_FLAGS or value.startswith("--format=")):
                return True
        return False

    # -- wrappers -------------------------------------------------------------------

    def _wrapper_calls(self, file: PyFile) -> Iterator[Hit]:
        defined = {file.text_of(f.child_by_field_name("name")) for f in file.nodes_of_type("function_definition")}
        for call in file.calls:
            method = call.method or ""
            if call.receiver is not None and file.text_of(call.receiver) in ("self", "cls", "super()"):
                continue  # an inherited wrapper: its own qemu-img call is judged where it is defined
            if method.endswith("qemu_img_info"):
                if method in defined or self._explicit_format(file, call) or self._safe_wrapper(file, call):
                    continue
                yield Hit(call.node, {
                    "what": f"`{shorten(file.text_of(call.node), 80)}` asks for image information without "
                            "naming the format, so the wrapper runs `qemu-img info` without `-f` and qemu-img "
                            "guesses the format from the file's content.",
                    "fix": f"Pass the known format: `{method}(..., format=<format>)`."})
            elif method == "convert_image_unsafe" and method not in defined:
                yield Hit(call.node, {
                    "what": f"`{shorten(file.text_of(call.node), 80)}` converts an image whose input format "
                            "is deliberately left to `qemu-img convert` to detect.",
                    "fix": "Call `convert_image()` with the source format instead."})
            elif method == "convert_image" and method not in defined:
                source_format = call.arg(2) if not any(k in call.kwargs for k in _FORMAT_KEYWORDS) else \
                    next(call.kwargs[k] for k in _FORMAT_KEYWORDS if k in call.kwargs)
                if source_format is not None and source_format.type == "none" and \
                        (call.arg(2) is None or call.arg(2).type == "none" or "in_format" in call.kwargs
                         or "src_format" in call.kwargs or "source_format" in call.kwargs):
                    yield Hit(call.node, {
                        "what": f"`{shorten(file.text_of(call.node), 80)}` passes `None` as the source "
                                "format, so `qemu-img convert` detects the input format from its content.",
                        "fix": "Pass the source image's known format instead of `None`."})

    @staticmethod
    def _explicit_format(file: PyFile, call: Call) -> bool:
        for keyword in _FORMAT_KEYWORDS:
            if keyword in call.kwargs:
                return call.kwargs[keyword].type != "none"
        if call.has_star_args:
            return True
        second = call.arg(1)
        if second is None:
            return False
        value = file.constant_value(second)
        if isinstance(value, str):
            return True
        return value is NOT_CONSTANT and bool(re.search(r"fmt|format", file.text_of(second), re.I))

    @staticmethod
    def _safe_wrapper(file: PyFile, call: Call) -> bool:
        """The wrapper is defined in another reviewed module and inspects the format itself."""
        if not call.name or "." not in call.name:
            return False
        module, function = call.name.rsplit(".", 1)
        definition = _definition_text(file, module, function)
        return definition is not None and bool(_INSPECTOR.search(definition))


def _definition_text(file: PyFile, module: str, function: str) -> str | None:
    """Source text of `def function` in the reviewed module `module` (None if not reviewed or ambiguous).

    Asked through the file's context, so the module is recorded as consulted and a change to it
    invalidates the asking file's cached result.
    """
    sources = file.context.module_sources(module)
    if len(sources) != 1 or f"def {function}" not in sources[0].text:
        return None
    return _definition_in(sources[0].path, sources[0].text, function)


@functools.lru_cache(maxsize=256)
def _definition_in(path: str, text: str, function: str) -> str | None:
    parsed = PyFile(path, text)
    for definition in parsed.nodes_of_type("function_definition"):
        if parsed.text_of(definition.child_by_field_name("name")) == function:
            return parsed.text_of(definition)
    return None
