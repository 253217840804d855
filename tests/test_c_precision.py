"""Precision: careful, idiomatic C and Qt code draws no finding from any C/C++ rule.

The samples are our own code written the way reviewed projects write it
(checked allocations, bounded copies, goto cleanup, Qt parents, locks); every
C/C++ rule runs on them at the lowest confidence.
"""

from __future__ import annotations

import pytest

from helpers import run_rules
from secreview.rules import all_rules

C_RULES = [rule for rule in all_rules() if rule.applies_to("c") or rule.applies_to("cpp")]

CAREFUL_C = r"""
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NAME_MAX_LEN 64

struct entry { char name[NAME_MAX_LEN]; size_t size; struct entry *next; };

static int read_header(int fd, unsigned char *header, size_t size) {
    ssize_t got = read(fd, header, size);
    if (got < 0)
        return -errno;
    return (size_t)got == size ? 0 : -EIO;
}

struct entry *entry_new(const char *name, size_t size) {
    struct entry *e = calloc(1, sizeof *e);
    if (e == NULL)
        return NULL;
    if (strlen(name) >= sizeof e->name) {
        free(e);
        return NULL;
    }
    memcpy(e->name, name, strlen(name) + 1);
    e->size = size;
    return e;
}

void entry_list_free(struct entry *head) {
    struct entry *next;
    for (struct entry *e = head; e != NULL; e = next) {
        next = e->next;
        free(e);
    }
}

int load(const char *path, struct entry **out) {
    unsigned char header[16];
    char line[128];
    int status = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    FILE *in = fdopen(fd, "r");
    if (in == NULL) {
        close(fd);
        return -errno;
    }
    if (read_header(fd, header, sizeof header) != 0)
        goto out;
    while (fgets(line, sizeof line, in) != NULL) {
        char *end = NULL;
        long size = strtol(line, &end, 10);
        if (end == line || size < 0 || size > 1 << 20)
            goto out;
        struct entry *e = entry_new(end, (size_t)size);
        if (e == NULL)
            goto out;
        e->next = *out;
        *out = e;
    }
    status = 0;
out:
    fclose(in);
    return status;
}

int average(const char *count_text, int total) {
    int count = atoi(count_text);
    if (count <= 0 || count > 1000)
        return 0;
    int *values = malloc((size_t)count * sizeof(int));
    if (values == NULL)
        return 0;
    for (int i = 0; i < count; i++)
        values[i] = total / count;
    int result = values[0];
    free(values);
    return result;
}

void greet(const char *user) {
    char message[80];
    snprintf(message, sizeof message, "hello %s", user);
    printf("%s\n", message);
    char tmpl[] = "/tmp/greet-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd >= 0) {
        write(fd, message, strlen(message));
        close(fd);
        unlink(tmpl);
    }
}
"""

CAREFUL_QT = r"""
#include <QFile>
#include <QMessageBox>
#include <QMutexLocker>
#include <QProcess>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>
#include <QVBoxLayout>
#include <memory>

class Worker : public QThread {
public:
    int progress() const { QMutexLocker locker(&m_mutex); return m_progress; }
protected:
    void run() override {
        for (int i = 0; i < 100; ++i) {
            QMutexLocker locker(&m_mutex);
            m_progress = i;
        }
    }
private:
    mutable QMutex m_mutex;
    int m_progress = 0;
};

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent) {
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_button = new QPushButton(tr("Run"), central);
    layout->addWidget(m_button);
    setCentralWidget(central);
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &MainWindow::tick);
    timer->start(1000);
}

void MainWindow::run(const QString &branch) {
    QProcess process;
    process.start("git", {"log", "--oneline", "--", branch});
    process.waitForFinished();
    const QByteArray out = process.readAllStandardOutput();
    if (out.isEmpty())
        return;
    auto *box = new QMessageBox(this);
    box->setText(QString::fromUtf8(out));
    box->show();
}

bool MainWindow::load(const QString &path, const QString &name) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    auto buffer = std::make_unique<char[]>(64);
    const QByteArray data = file.read(63);
    memcpy(buffer.get(), data.constData(), static_cast<size_t>(data.size()));
    QSqlQuery query;
    query.prepare("SELECT id FROM items WHERE name = :name");
    query.bindValue(":name", name);
    return query.exec();
}
"""


@pytest.mark.parametrize(("code", "path", "language"), [
    (CAREFUL_C, "careful.c", "c"), (CAREFUL_C, "careful.cpp", "cpp"), (CAREFUL_QT, "mainwindow.cpp", "cpp"),
], ids=["c", "c-as-cpp", "qt"])
def test_careful_code_has_no_findings(code: str, path: str, language: str) -> None:
    findings = run_rules(code, C_RULES, path=path, language=language)
    assert not findings, "\n".join(f"{f.location.start_line}: {f.rule_id}: {f.message}" for f in findings)
