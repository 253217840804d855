"""Qt: environment and command line, I/O devices and network replies, string conversions and builders."""

from __future__ import annotations

from secreview.knowledge.schema import CKnowledge, CSource, HeaderSources

KNOWLEDGE = CKnowledge(
    name="qt",
    sources=(
        CSource("qgetenv", "environment variable", remote=False),
        CSource("qEnvironmentVariable", "environment variable", remote=False),
    ),
    header_sources=(HeaderSources(
        prefixes=("<Q", '"Q'),
        methods=(
            ("readAll", "data read from a Qt I/O device or network reply"),
            ("readLine", "data read from a Qt I/O device"),
            ("read", "data read from a Qt I/O device"),
            ("peek", "data read from a Qt I/O device"),
            ("readDatagram", "datagram received from the network"),
            ("receiveDatagram", "datagram received from the network"),
            ("readLineData", "data read from a Qt I/O device"),
        ),
        calls=(
            ("QCoreApplication::arguments", "command-line arguments"),
            ("QProcessEnvironment::systemEnvironment", "environment variables"),
        ),
    ),),
    number_conversions=frozenset({"toInt", "toLong", "toLongLong", "toUInt", "toULong", "toShort", "toDouble",
                                  "toFloat", "toULongLong"}),
    lengths=frozenset({"count"}),
    appending_methods=frozenset({"append", "prepend", "setValue", "fromUtf8", "fromLatin1"}),
)
