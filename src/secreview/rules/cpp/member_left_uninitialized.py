"""Constructor that leaves a scalar or pointer data member without a value.

## What it does
Flags a data member of built-in or pointer type (`int count_;`, `bool
ready_;`, `Decoder *decoder_;`, `qint64 position_;`) with no default member
initialiser, when a constructor of its class neither names it in its
initialiser list nor mentions it in its body (or in a method of the class
it calls that is defined in the file). Only classes whose constructors are
all defined in the reviewed file are checked. Class-type members (built by
their own constructors), static members, `= default`/`= delete`, copy and
move constructors, delegating constructors, and constructors that call a
method of the class defined in another file are left alone.

## Why is this bad?
Such a member holds whatever bytes the memory held. A pointer member that
a destructor deletes or a method dereferences before anything set it is a
wild pointer: freeing or following it corrupts memory; a flag or a size
read before it is set steers the object's logic unpredictably (CWE-909).

## Example
```cpp
class Decoder;

class Player {
public:
    Player() : volume_(100) {}
    ~Player() { delete decoder_; }
private:
    int volume_;
    Decoder *decoder_;
};
```

## Use instead
```cpp
class Decoder;

class Player {
public:
    Player() : volume_(100) {}
    ~Player() { delete decoder_; }
private:
    int volume_;
    Decoder *decoder_ = nullptr;
};
```

## References
- https://cwe.mitre.org/data/definitions/909.html
- https://isocpp.github.io/CppCoreGuidelines/CppCoreGuidelines#Rc-always
"""

from __future__ import annotations

from collections.abc import Iterator

from secreview.lang.c_family.file import CFile
from secreview.lang.c_family.members import unset_members
from secreview.model import Confidence, Severity
from secreview.rules import Hit
from secreview.rules.c import CppRule


class MemberLeftUninitialized(CppRule):
    id = "member-left-uninitialized"
    cwe = 909
    severity = Severity.LOW
    confidence = Confidence.MEDIUM
    message = "`{member}` has no initialiser and the constructor on line {line} leaves it unset"
    description = (
        "`{member}` is a built-in or pointer member with no default member initialiser, and the constructor on "
        "line {line} neither initialises nor assigns it. Until something assigns it, it holds leftover bytes: "
        "a wild pointer or an arbitrary number for any method that reads it first."
    )
    solution = "Give `{member}` a default member initialiser (`= nullptr`, `= 0`, `{{}}`) or initialise it in every constructor."

    def check(self, file: CFile) -> Iterator[Hit]:
        for unset in unset_members(file):
            yield Hit(unset.member, {"member": unset.name, "line": str(unset.constructor.start_point[0] + 1)})
