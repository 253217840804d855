"""The value-flow engine for C/C++ (src/secreview/valueflow): what it sees on which path, and its bounds."""

from __future__ import annotations

import pytest

from secreview import valueflow
from secreview.lang.c_family.file import CFile
from secreview.valueflow import facts
from secreview.valueflow.lattice import Interval, State, Value


def events(code: str, kind: str) -> list[tuple[int, str, bool]]:
    """(line, variable, certain) of the events of one kind in `code`."""
    found = facts(CFile("example.c", code, language="c")).of_kind(kind)
    return [(event.node.start_point[0] + 1, event.name, event.certain) for event in found]


def test_a_test_that_does_not_leave_carries_null_to_the_dereference_after_it() -> None:
    code = """struct s { int v; };
void f(struct s *p, struct s *q) {
    if (p == NULL)
        puts("none");
    p->v = 1;
    if (!q)
        return;
    q->v = 2;
}
"""
    assert events(code, "null-dereference") == [(5, "p", True)]


def test_a_goto_carries_its_path_to_the_label_only() -> None:
    code = """struct s { int v; };
int f(struct s *p) {
    if (!p)
        goto out;
    p->v = 1;
    return 0;
out:
    p->v = 2;
    return -1;
}
"""
    assert events(code, "null-dereference") == [(8, "p", True)]


def test_paths_a_later_test_rules_out_are_not_followed() -> None:
    code = """#include <stdlib.h>
void f(char *p, int failed) {
    if (failed)
        free(p);
    if (!failed)
        p[0] = 1;
}
"""
    assert events(code, "use-after-free") == []


def test_a_loop_that_surely_runs_once_releases_on_its_exit_path() -> None:
    code = """#include <stdlib.h>
void f(char *p, char *q) {
    for (int i = 0; i < 1; i++)
        free(p);
    free(p);
    for (int i = 0; i < 0; i++)
        free(q);
    free(q);
}
"""
    assert events(code, "double-free") == [(5, "p", True)]


def test_loops_widen_and_finish() -> None:
    code = """int f(int n) {
    int total = 0;
    int a[4];
    for (int i = 0; i < n; i++) { total += i; a[total] = 1; }
    while (1) { total++; if (total > n) break; }
    return total;
}
"""
    assert events(code, "index-out-of-bounds") == [(4, "a", False)]  # total grows past 3 on some round


def test_summaries_of_the_same_file_release_and_return_null() -> None:
    code = """#include <stdlib.h>
struct s { int v; };
static void drop(struct s *item) { free(item); }
static struct s *none(void) { return NULL; }
void f(struct s *p) {
    drop(p);
    p->v = 1;
    none()->v = 2;
    struct s *q = none();
    q->v = 3;
}
"""
    assert events(code, "use-after-free") == [(7, "p", True)]
    # a call's result dereferenced in place is followed too
    assert events(code, "null-dereference") == [(8, "none()", True), (10, "q", True)]


def test_a_function_returning_null_only_when_memory_runs_out_is_an_allocator_to_its_callers() -> None:
    code = """#include <stdlib.h>
struct box { int size; };
struct box *box_new(int size) {
    struct box *b = malloc(sizeof *b);
    if (b == NULL)
        return NULL;
    b->size = size;
    return b;
}
struct box *box_copy(struct box *from) {
    struct box *b = box_new(from->size);
    if (!b)
        goto fail;
    return b;
fail:
    return NULL;
}
struct box *box_find(int key) {
    if (key < 0)
        return NULL;
    return box_new(key);
}
struct box *box_pick(int key) {
    struct box *b = malloc(sizeof *b);
    if (b == NULL || key < 0)
        goto fail;
    return b;
fail:
    free(b);
    return NULL;
}
int use(struct box *given) {
    return box_new(1)->size + box_copy(given)->size + box_find(2)->size + box_pick(3)->size;
}
"""
    found = {(line, name, origin) for line, name, origin in
             ((e.node.start_point[0] + 1, e.name, e.origin.kind) for e in facts(CFile("a.c", code, language="c")).events
              if e.kind == "null-dereference")}
    # box_copy fails only where box_new did; box_find also for a bad key; box_pick's NULL return joins both
    assert found == {(33, "box_new(1)", "allocation"), (33, "box_copy(given)", "allocation"),
                     (33, "box_find(2)", "function"), (33, "box_pick(3)", "function")}


def test_fields_a_callee_leaves_null_on_every_path_through_a_parameter_it_keeps_are_null_after_the_call() -> None:
    code = """#include <stdlib.h>
struct s { char *buf; struct s *next; };
void reset(struct s *p) { p->buf = NULL; }
void hop(struct s *p) { p = p->next; p->buf = NULL; }
void maybe(struct s *p, int n) { if (n) p->buf = NULL; }
int f(struct s *a) {
    reset(a);
    return a->buf[0];
}
int g(struct s *b) {
    hop(b);
    return b->buf[0];
}
int h(struct s *c) {
    maybe(c, 1);
    return c->buf[0];
}
"""
    # hop() moved its parameter: the field it cleared is another object's; maybe() clears it on one path only
    assert events(code, "null-dereference") == [(8, "a->buf", True)]


def test_a_function_past_its_budget_is_noted_not_hung(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(valueflow, "STEP_BUDGET", 100)
    branches = "\n".join(f"        if (x{i}) y = y + {i};" for i in range(40))
    code = "int f(" + ", ".join(f"int x{i}" for i in range(40)) + ") {\n    int y = 0;\n" + \
        "    for (;;) {\n" + branches + "\n    }\n}\n"
    result = facts(CFile("example.c", code, language="c"))
    assert result.incomplete and "`f`" in result.incomplete[0]


def test_joins_keep_what_both_paths_agree_on() -> None:
    null = State().set("p", Value("null", interval=Interval.exactly(0)))
    unknown = State()
    assert null.join(unknown).get("p").null == "maybe-null"
    assert Interval(0, 3).join(Interval(5, 9)) == Interval(0, 9)
    assert Interval(0, 3).widen(Interval(0, 4)) == Interval(0, None)


def test_a_defect_past_a_second_undecided_branch_is_not_shown_as_a_path_of_its_own() -> None:
    code = """struct s { int v; };
void f(struct s *p, int a) {
    if (p == NULL)
        puts("none");
    if (a)
        puts("a");
    p->v = 1;
}
"""
    assert events(code, "null-dereference") == [(7, "p", False)]


def test_a_test_repeated_on_a_path_keeps_its_outcome_until_what_it_reads_changes() -> None:
    code = """struct v { int type; };
int next_type(void);
void f(struct v *vdd, int len) {
    char id[256];
    if (vdd->type == 1) {
        if (len > 254) len = 254;
    } else {
        if (len > 255) len = 255;
    }
    id[len] = 0;
    if (vdd->type == 1)
        id[len + 1] = 0;
    vdd->type = next_type();
    if (vdd->type == 1)
        id[len + 1] = 0;
}
"""
    assert [line for line, _, _ in events(code, "index-out-of-bounds")] == [15]


def test_only_the_first_arm_of_a_preprocessor_conditional_runs() -> None:
    code = """#include <stdlib.h>
void f(char *p, int a) {
#if defined(ONE_SYSTEM)
    if (a) free(p);
#else
    if (a) free(p);
#endif
}
"""
    assert events(code, "double-free") == []


def test_what_a_test_settles_about_memory_holds_on_its_path() -> None:
    code = """struct node { struct node *next; int data; };
void f(struct node **head, int folded) {
    if (folded && *head) {
        struct node *l = *head;
        while (l && l->next)
            l = l->next;
        l->data = 1;
    }
}
"""
    assert events(code, "null-dereference") == []


def test_an_index_reached_only_by_rounds_of_an_undecided_loop_is_not_shown_alone() -> None:
    code = """void f(int n, int flag) {
    int pair[2];
    for (int i = 0; i < n; i++)
        pair[i] = 0;
    for (int k = 0; k < (flag ? 2 : 1); k++)
        pair[k] = 1;
}
"""
    assert [(line, certain) for line, _, certain in events(code, "index-out-of-bounds")] == [(4, False)]


def test_integer_types_wrap_as_c_does_and_the_wrap_is_reported_where_it_becomes_an_index() -> None:
    code = """#include <stdint.h>
void f(void) {
    char slots[8];
    unsigned char small = 255;
    int promoted = small + 1;
    slots[promoted - 250] = 0;
    uint32_t top = 4294967295u;
    uint32_t wrapped = top + 2;
    slots[wrapped] = 0;
    unsigned char narrowed = 260;
    slots[narrowed] = 0;
}
"""
    # 255 + 1 is 256 in int (no wrap): index 6 is inside; top + 2 wraps to 1 in uint32_t; 260 stored
    # in an unsigned char is 4
    assert events(code, "index-out-of-bounds") == []
    assert events(code, "integer-overflow") == [(8, "top + 2", True), (10, "narrowed = 260", True)]


def test_a_remainder_is_bounded_by_its_divisor_and_signed_operands_leave_it_vague() -> None:
    code = """void f(int i, unsigned int u) {
    char a[5];
    a[u % 5] = 0;
    a[i % 5] = 0;
    a[i % 4 + 2] = 0;
}
"""
    assert [(line, certain) for line, _, certain in events(code, "index-out-of-bounds")] == [(4, False), (5, False)]


def test_pointers_carry_the_size_of_their_buffer_and_their_offset_in_it() -> None:
    code = """#include <stdlib.h>
void f(void) {
    int *values = malloc(4 * sizeof(int));
    if (!values)
        return;
    int *cursor = values + 2;
    cursor[1] = 0;
    cursor[2] = 0;
    cursor++;
    *cursor = 0;
    cursor++;
    *cursor = 0;
    const char *word = "abc";
    char last = word[3];
    char past = word[4];
}
"""
    assert [(line, certain) for line, _, certain in events(code, "index-out-of-bounds")] == \
        [(8, True), (12, True), (15, True)]


def test_widening_stops_at_the_constants_of_the_loop_test() -> None:
    code = """void f(void) {
    int small[10];
    int exact[20];
    for (int i = 0; i != 20; i++) {
        exact[i] = 0;
        small[i] = 0;
    }
}
"""
    assert [(line, certain) for line, _, certain in events(code, "index-out-of-bounds")] == [(6, True)]


def test_shifts_past_the_promoted_width_and_copies_past_either_buffer() -> None:
    code = """#include <string.h>
void f(char *out, long wide) {
    char small = 1;
    int a = small << 31;
    int b = small << 32;
    long c = wide << 40;
    char header[16];
    memcpy(out, header, 20);
    memcpy(header, out, 16);
    memset(header + 8, 0, 9);
}
"""
    assert [line for line, _, _ in events(code, "shift-out-of-range")] == [5]
    assert [line for line, _, _ in events(code, "copy-overread")] == [8]
    assert [line for line, _, _ in events(code, "copy-overflow")] == [10]


def test_a_member_array_is_checked_against_its_own_type_and_a_last_one_element_member_is_flexible() -> None:
    code = """struct small { int a[4]; int n; };
struct large { int a[40]; int n; };
struct message { int length; char data[1]; };
void f(struct small *s, struct large *l, struct message *m) {
    s->a[10] = 0;
    l->a[10] = 0;
    m->data[10] = 0;
}
"""
    assert [(line, name) for line, name, _ in events(code, "index-out-of-bounds")] == [(5, "s->a")]


def test_a_pointer_moved_by_a_half_known_amount_loses_its_position_without_failing() -> None:
    code = """void f(int n) {
    unsigned char buffer[16];
    unsigned char *end = buffer + 16;
    unsigned char *cursor = buffer;
    if (n > 2)
        cursor = end - n;
    cursor[0] = 0;
}
"""
    assert events(code, "index-out-of-bounds") == []


def test_a_callee_that_keeps_memory_only_when_it_succeeds_is_followed_on_both_outcomes() -> None:
    code = """#include <stdlib.h>
enum { ADDED, FULL };
struct list { void *items[8]; int n; };
static int add(struct list *l, void *item) {
    if (l->n >= 8)
        return FULL;
    l->items[l->n++] = item;
    return ADDED;
}
static void *same(void *p) { return p; }
int f(struct list *l) {
    char *p = malloc(4);
    if (p == NULL)
        return -1;
    if (add(l, same(p)) == FULL)
        return -1;
    return 0;
}
int g(struct list *l) {
    char *p = malloc(4);
    if (p == NULL)
        return -1;
    if (add(l, p) != ADDED) {
        free(p);
        return -1;
    }
    return 0;
}
"""
    found = facts(CFile("example.c", code, language="c")).of_kind("leak")
    assert [(event.node.start_point[0] + 1, event.name, event.via, event.via_line) for event in found] \
        == [(16, "p", "add", 15)]


def test_memory_this_function_allocated_never_equals_what_a_parameter_points_to() -> None:
    code = """#include <stdlib.h>
void own_only(int *out, int flag) {
    int *y;
    if (flag)
        y = malloc(sizeof(int));
    else
        y = out;
    if (y && y != out)
        free(y);
}
void never_freed(int *out, int flag) {
    int *y;
    if (flag)
        y = malloc(sizeof(int));
    else
        y = out;
    if (y && y == out)
        free(y);
}
"""
    assert [(line, name) for line, name, _ in events(code, "leak")] == [(19, "y")]


def test_a_handle_found_invalid_leaks_nothing_and_one_left_open_on_an_error_path_leaks() -> None:
    code = """#include <stdio.h>
#include <sys/socket.h>
int connect_to(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s == INVALID_SOCKET)
        return -1;
    if (port <= 0)
        return -1;
    return s;
}
void check(const char *path) {
    FILE *f = fopen(path, "r");
    if (!assert(f != NULL))
        return;
    fclose(f);
}
void quiet(int flags) {
    int fd;
    if ((flags & 1) || (fd = open("/dev/tty", 2)) == -1)
        return;
    close(fd);
}
"""
    assert [(line, name, certain) for line, name, certain in events(code, "leak")] == [(8, "s", True)]


def test_a_field_reached_from_a_variable_holds_what_the_path_learnt_until_something_may_write_it() -> None:
    code = """#include <stdlib.h>
struct buf { char *data; int len; };
void refill(struct buf *b);
int reset_then_read(struct buf *b) {
    b->data = NULL;
    return b->data[0];
}
int tested_then_read(struct buf *b) {
    if (b->data == NULL)
        b->len = 0;
    return *b->data;
}
int refilled(struct buf *b) {
    if (!b->data)
        refill(b);
    return *b->data;
}
int through_another_pointer(struct buf *a, struct buf *b) {
    a->data = NULL;
    b->data = malloc(4);
    return *a->data;
}
int checked(struct buf *b) {
    if (b->data == NULL)
        return -1;
    return *b->data;
}
"""
    assert events(code, "null-dereference") == [(6, "b->data", True), (11, "b->data", True)]


def test_a_member_reset_by_the_method_is_null_and_one_a_call_may_have_reset_is_only_possibly_null() -> None:
    code = """class Clock { public: void mark(bool); int kind(); };
class Controller {
public:
    void remove(Clock *next, bool found);
    void draw(int column);
private:
    Clock *m_master;
};
void Controller::remove(Clock *next, bool found) {
    m_master = nullptr;
    if (found)
        m_master = next;
    m_master->mark(true);
}
void Controller::draw(int column) {
    bool known = true;
    if (m_master)
        known = m_master->kind() > 0;
    if ((m_master && column == 0) || !known)
        m_master->mark(false);
}
"""
    found = facts(CFile("example.cpp", code, language="cpp")).of_kind("null-dereference")
    assert [(event.node.start_point[0] + 1, event.name, event.certain) for event in found] \
        == [(13, "this->m_master", True), (20, "this->m_master", False)]


def test_memory_a_callee_hands_back_through_a_pointer_parameter_is_the_callers_on_that_outcome() -> None:
    code = """#include <stdlib.h>
struct obj { int n; };
static int obj_new(struct obj **out, int n) {
    struct obj *o;
    if (n < 0)
        return -1;
    o = malloc(sizeof(*o));
    if (o == NULL)
        return -1;
    o->n = n;
    *out = o;
    return 0;
}
static void obj_drop(struct obj **out) {
    struct obj *o = malloc(sizeof(*o));
    *out = o;
    free(o);
}
int use(int n) {
    struct obj *o;
    struct obj *p;
    obj_drop(&p);
    if (obj_new(&o, n) != 0)
        return -1;
    if (o->n > 10)
        return -2;
    free(o);
    return 0;
}
"""
    assert events(code, "leak") == [(26, "o", True)]


def test_a_local_filled_by_a_call_in_a_later_operand_of_or_is_not_read_as_unset() -> None:
    code = """#include <stdlib.h>
#include <string.h>
static int twodigit(const char *p, int *value) {
    if (p[0] < '0' || p[1] < '0')
        return 1;
    *value = (p[0] - '0') * 10 + p[1] - '0';
    return 0;
}
static int make(int **out) {
    int *made = malloc(sizeof(int));
    if (made == NULL)
        return -1;
    *out = made;
    return 0;
}
int year(const char *p, int *result, int full) {
    int century;
    int *cell;
    if (strlen(p) < 4 || twodigit(p, &century) || twodigit(p + 2, result))
        return -1;
    *result += century * 100;
    const int made = full ? make(&cell) : make(&cell);
    if (made == 0)
        free(cell);
    return 0;
}
"""
    assert events(code, "uninitialised-read") == []
    assert events(code, "leak") == []



def test_paths_that_arrive_alike_go_on_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """`f() && g()` is false in two ways that refine nothing followed: the statements after it run once for
    both, and report what running them twice reports."""
    code = """
        int ready(void);
        int open_now(void);
        void fill(int rows)
        {
            int table[4];
            if (ready() && open_now())
                return;
            for (int c = 0; c <= 4; c++)
                table[c] = rows;
        }
        """
    from secreview.valueflow import interpreter

    runs: list[int] = []
    statement = interpreter.FunctionRun.statement

    def counting(self, node, state):
        runs.append(node.node.start_point[0] if isinstance(node.node, interpreter.ts.Node) else -1)
        return statement(self, node, state)

    monkeypatch.setattr(interpreter.FunctionRun, "statement", counting)
    found = events(code, "index-out-of-bounds")
    assert [line for line, _, _ in found] == [10], found
    once = runs.count(8)
    monkeypatch.setattr(interpreter, "_distinct", lambda states: states)
    runs.clear()
    assert events(code, "index-out-of-bounds") == found
    assert once < runs.count(8), (once, runs.count(8))


def test_an_index_only_loop_rounds_reach_is_an_audit_lead_at_medium_confidence() -> None:
    """`a[total]` past the end only after rounds of a loop nothing bounds: audit, medium; a constant index
    past the end is definite, high."""
    from secreview import engine
    from secreview.model import Confidence, Evidence
    from secreview.rules import all_rules
    from secreview.sources import SourceFile

    code = """int f(int n) {
    int total = 0;
    int a[4];
    for (int i = 0; i < n; i++) { total += i; a[total] = 1; }
    a[4] = 2;
    return total;
}
"""
    rules = [r for r in all_rules() if r.id == "array-write-out-of-bounds"]
    report = engine.analyze([SourceFile("f.c", code, "c")], rules, engine.Settings(profile="audit"))
    found = {f.location.start_line: (f.confidence, f.evidence) for f in report.findings}
    assert found == {4: (Confidence.MEDIUM, None), 5: (Confidence.HIGH, Evidence.DEFINITE)}, found


def test_a_literal_whose_escapes_decode_to_lone_surrogates_is_measured_not_fatal() -> None:
    """`"\\xd834"` (a wide escape in a narrow literal, libexpat's tests) decodes to a lone surrogate, which
    strict UTF-8 refuses: its size is counted, no crash."""
    code = 'int f(void) {\n    char name[8] = "\\xd834";\n    char *p = "\\xdd5ex";\n    return (int)sizeof "\\xd834" + p[0] + name[0];\n}\n'
    assert events(code, "index-out-of-bounds") == []
