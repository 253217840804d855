"""PyFile lookups: import resolution and constant folding."""

from __future__ import annotations

from secreview.lang.python.file import NOT_CONSTANT, PyFile


def _value_of_last_call_argument(code: str) -> object:
    file = PyFile("x.py", code)
    call = file.calls[-1]
    return file.constant_value(call.args[0])


def test_imports_resolve_aliases() -> None:
    file = PyFile("x.py", "import subprocess as sp\nfrom os import path as p, system\nimport xml.etree.ElementTree as ET\n"
                          "sp.run(1)\np.exists(2)\nsystem(3)\nET.parse(4)\n")
    assert [c.name for c in file.calls] == ["subprocess.run", "os.path.exists", "os.system",
                                            "xml.etree.ElementTree.parse"]


def test_call_lookups_answer_the_same_before_and_after_every_call_is_built() -> None:
    code = ("from os import getenv as ge\nimport subprocess as sp\nge('A')\nsp.run('x', shell=True)\n"
            "requests.get(u, verify=False)\nlog.info('y')\nobj.run()\n")
    def lookups(file: PyFile) -> list:
        return [[c.node.start_point for c in found] for found in (
            file.calls_to("os.getenv", "subprocess.run"), file.calls_to("os.system"), file.method_calls("run", "info"),
            file.calls_with_keywords("verify", "shell"), file.calls_named(lambda name: name.startswith("g")))]
    lazy = PyFile("x.py", code)
    before = lookups(lazy)
    assert before[0] == [(2, 0), (3, 0)], "an aliased import is found by its original name"
    assert before[1] == [] and len(before[2]) == 3 and before[3] == [(3, 0), (4, 0)] and len(before[4]) == 2
    built = PyFile("x.py", code)
    assert built.calls and lookups(built) == before


def test_literals_and_folding() -> None:
    assert _value_of_last_call_argument("f('a' 'b')") == "ab"
    assert _value_of_last_call_argument("f('a' + 'b' * 1)") is NOT_CONSTANT
    assert _value_of_last_call_argument("f('%s-x' % 'y')") == "y-x"
    assert _value_of_last_call_argument("import os\nf(os.O_CREAT)") is NOT_CONSTANT
    assert _value_of_last_call_argument("f(0o644 | 0o002)") == 0o646
    assert _value_of_last_call_argument("f(0777)") == 0o777


def test_local_names_fold_only_when_every_binding_is_constant() -> None:
    assert _value_of_last_call_argument("def g():\n    x = 'a'\n    x = 'b'\n    f(x)\n") == "b"
    assert _value_of_last_call_argument("def g(y):\n    x = 'a'\n    x = y\n    f(x)\n") is NOT_CONSTANT
    assert _value_of_last_call_argument("def g(x):\n    f(x)\n") is NOT_CONSTANT
    assert _value_of_last_call_argument("def g(y):\n    x = 'a'\n    for x in y:\n        f(x)\n") is NOT_CONSTANT
    assert _value_of_last_call_argument("def g(y):\n    x = 'a'\n    x += y\n    f(x)\n") is NOT_CONSTANT
    assert _value_of_last_call_argument("def g(y):\n    x, z = y\n    f(x)\n") is NOT_CONSTANT


def test_module_constants_are_seen_from_functions() -> None:
    assert _value_of_last_call_argument("CMD = 'ls'\ndef g():\n    f(CMD)\n") == "ls"
    assert _value_of_last_call_argument("CMD = 'ls'\ndef g(CMD):\n    f(CMD)\n") is NOT_CONSTANT
    assert _value_of_last_call_argument("CMD = 'ls'\ndef h(v):\n    global CMD\n    CMD = v\n"
                                        "def g():\n    f(CMD)\n") is NOT_CONSTANT
    assert _value_of_last_call_argument("def g():\n    f(UNKNOWN)\n") is NOT_CONSTANT


def test_generator_argument_is_one_argument() -> None:
    file = PyFile("x.py", "','.join('?' for _ in ids)\n")
    assert [n.type for n in file.calls[0].args] == ["generator_expression"]


def test_a_chain_rooted_in_a_local_variable_is_an_object_not_a_module() -> None:
    file = PyFile("x.py", "import yaml\n\ndef parse(text, yaml_lib):\n    yaml = ruamel.yaml.YAML(typ='safe')\n"
                          "    yaml.load(text)\n    yaml_lib.load(text)\n\ndef other(text):\n    yaml.load(text)\n")
    local, parameter, module = [c.node.child_by_field_name("function") for c in file.calls if c.method == "load"]
    assert file.is_local_object(local) and file.is_local_object(parameter)
    assert not file.is_local_object(module), "in other(), `yaml` is the imported module"
